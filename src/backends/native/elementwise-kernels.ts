/**
 * Element-wise kernels of the native backend (see native/src/elementwise*.cc): binary arithmetic with tfjs
 * broadcasting, AddN and the unary activations and maths, on every core, with the CPU kernels' exact semantics
 * (NaN, -0, double-precision intermediates). Inputs other than float32 fall through to the CPU backend's kernel.
 */
import {
  backend_util,
  util,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { f32, input, nativeKernel, output } from './util.js';

/** The binary kernels the addon runs (its `op` argument is the tfjs kernel name). */
export const NATIVE_BINARY_OPS = [
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'SquaredDifference',
  'Maximum',
  'Minimum',
] as const;

/** The unary kernels the addon runs (its `op` argument is the tfjs kernel name). */
export const NATIVE_UNARY_OPS = [
  'Relu',
  'Relu6',
  'Step',
  'Sqrt',
  'Rsqrt',
  'Square',
  'Abs',
  'Neg',
  'Exp',
  'Log',
  'Sign',
  'Sigmoid',
  'Tanh',
  'Reciprocal',
  'LeakyRelu',
  'Elu',
] as const;

export type NativeBinaryOp = (typeof NATIVE_BINARY_OPS)[number];
export type NativeUnaryOp = (typeof NATIVE_UNARY_OPS)[number];

/** Unary kernels whose `alpha` attribute the addon needs. */
const WITH_ALPHA: ReadonlySet<NativeUnaryOp> = new Set<NativeUnaryOp>(['Step', 'LeakyRelu']);

/** The addon functions these kernels call. Outputs are preallocated and must not share memory with the inputs. */
export interface ElementwiseAddon {
  /** out = op(a, b), broadcast by tfjs's rules; out holds the broadcast shape's size. */
  binary(
    op: NativeBinaryOp,
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    out: Float32Array,
  ): void;
  /** out = op(x); alpha is Step's / LeakyRelu's attribute (ignored by the other ops). */
  unary(op: NativeUnaryOp, x: Float32Array, alpha: number, out: Float32Array): void;
  /** out = inputs[0] + inputs[1] + ..., all of out's length. */
  addN(inputs: Float32Array[], out: Float32Array): void;
}

function binaryKernel(addon: ElementwiseAddon, name: NativeBinaryOp): KernelConfig {
  return nativeKernel(name, (args, backend) => {
    const a = input(name, args.inputs, 'a');
    const b = input(name, args.inputs, 'b');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    return output(backend, shape, (out) =>
      addon.binary(name, f32(backend, a), a.shape, f32(backend, b), b.shape, out),
    );
  });
}

function unaryKernel(addon: ElementwiseAddon, name: NativeUnaryOp): KernelConfig {
  return nativeKernel(name, (args, backend) => {
    const x = input(name, args.inputs, 'x');
    const alpha = alphaOf(name, args.attrs);
    if (x.dtype !== 'float32' || alpha === undefined) return undefined;
    return output(backend, x.shape, (out) => addon.unary(name, f32(backend, x), alpha, out));
  });
}

/** The op's alpha attribute (0 for ops without one); undefined when it should have one and has none. */
function alphaOf(name: NativeUnaryOp, attrs: NamedAttrMap | undefined): number | undefined {
  if (!WITH_ALPHA.has(name)) return 0;
  const alpha = attrs?.alpha;
  return typeof alpha === 'number' ? alpha : undefined;
}

function addNKernel(addon: ElementwiseAddon): KernelConfig {
  return nativeKernel('AddN', (args, backend) => {
    // AddN's inputs are an array of tensors, not a name-to-tensor map.
    const tensors = args.inputs as unknown as TensorInfo[];
    const first = tensors[0];
    const same =
      first !== undefined &&
      tensors.every((t) => t.dtype === 'float32' && util.arraysEqual(t.shape, first.shape));
    if (!same) return undefined;
    return output(backend, first.shape, (out) =>
      addon.addN(
        tensors.map((t) => f32(backend, t)),
        out,
      ),
    );
  });
}

/** The elementwise kernels, in place of the CPU backend's. */
/**
 * Cast to float32 from int32 or bool. The CPU backend's Cast keeps the int32/bool array under the float32 tensor
 * ("no precision lost"), so every float32 kernel after it would find no Float32Array; here the values are converted
 * once, into a real Float32Array. Every other cast is the CPU backend's.
 */
export const castKernel: KernelConfig = nativeKernel('Cast', (args, backend) => {
  const x = input('Cast', args.inputs, 'x');
  const dtype = args.attrs?.dtype;
  if (dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return undefined;
  const values = backend.data.get(x.dataId).values as ArrayLike<number>;
  return output(backend, [...x.shape], (out) => out.set(values));
});

export function elementwiseKernels(addon: ElementwiseAddon): KernelConfig[] {
  return [
    castKernel,
    ...NATIVE_BINARY_OPS.map((name) => binaryKernel(addon, name)),
    ...NATIVE_UNARY_OPS.map((name) => unaryKernel(addon, name)),
    addNKernel(addon),
  ];
}
