/** Installs navigator.gpu in Node from the `webgpu` package (Dawn). */
export async function installNodeWebGpu(): Promise<void> {
  throw new Error('not yet');
}
