/**
 * Gradients that free memory as backpropagation goes, the way PyTorch's autograd does. tfjs's `engine.gradients`
 * keeps every intermediate gradient and every tensor the forward pass saved for backpropagation until the whole
 * backward pass is over, so a training step's peak memory is all activations plus all their gradients. Here, as
 * soon as a recorded op's gradient has been taken, the gradient of its outputs (no op needs it again: the tape is
 * walked backward) and the tensors it saved are disposed, and their storage can hold the next gradients. The
 * gradient values are the same ops in the same order as tfjs's, so the results are identical.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A recorded op as tfjs-core's tape holds it (engine internals, checked at run time before use). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The parts of tfjs-core's engine this module drives. */
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor | null,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

function tapeEngine(): TapeEngine | undefined {
  const e = tf.engine() as unknown as Partial<TapeEngine>;
  const ok =
    typeof e.startTape === 'function' &&
    typeof e.endTape === 'function' &&
    typeof e.scopedRun === 'function' &&
    typeof e.tidy === 'function' &&
    typeof e.gradients === 'function' &&
    typeof e.state === 'object' &&
    e.state !== null &&
    typeof e.state.gradientDepth === 'number';
  return ok ? (e as TapeEngine) : undefined;
}

/**
 * The recorded ops on a path from one of `xs` to `y`, in recording order, each with only the inputs that depend on
 * `xs` (the gradients to take).
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const reachable = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      reachable.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const useful = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (!node.outputs.some((o) => toY.has(o.id))) continue;
    useful.add(node.id);
    for (const t of Object.values(node.inputs)) toY.add(t.id);
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!reachable.has(node.id) || !useful.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    path.push({ ...node, inputs });
  }
  return path;
}

/**
 * Gradients by tensor id, counting how many ids hold each tensor object (a gradient function may hand its `dy`
 * through unchanged), so a tensor is disposed only when no id holds it any more.
 */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();

  get(id: number): tf.Tensor | undefined {
    return this.byId.get(id);
  }

  holds(t: tf.Tensor): boolean {
    return (this.holders.get(t) ?? 0) > 0;
  }

  set(id: number, t: tf.Tensor): void {
    this.release(id);
    this.byId.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  /** Forgets id's gradient, disposing it unless another id (or `keep`) still holds it. */
  release(id: number, keep?: tf.Tensor | null): void {
    const t = this.byId.get(id);
    if (t === undefined) return;
    this.byId.delete(id);
    const n = (this.holders.get(t) ?? 1) - 1;
    if (n > 0) {
      this.holders.set(t, n);
    } else {
      this.holders.delete(t);
      if (t !== keep) t.dispose();
    }
  }
}

/** engine.gradients with the early release described at the top of this file. */
function leanGradients(
  engine: TapeEngine,
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy: tf.Tensor | null | undefined,
  allowNoGradients: boolean,
): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f),
  );
  if (!(y instanceof tf.Tensor)) throw new Error('gradients: the function must return a tensor');
  const tape = engine.state.activeTape ?? [];
  const path = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && path.length === 0 && xs.length > 0) {
    throw new Error('gradients: no recorded op leads from the inputs to the result of the function');
  }
  const keepIds = new Set(xs.map((x) => x.id));
  return engine.tidy('backward', () => {
    const grads = new GradientMap();
    grads.set(y.id, dy ?? tf.ones(y.shape));
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i];
      if (node.gradient === undefined) {
        throw new Error(`gradients: no gradient function for ${node.kernelName}`);
      }
      const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
      const inputGradients = node.gradient(dys);
      for (const [name, x] of Object.entries(node.inputs)) {
        const take = inputGradients[name];
        if (take === undefined) {
          throw new Error(`gradients: ${node.kernelName} gives no gradient for its input '${name}'`);
        }
        const dx = engine.tidy(take);
        if (dx.dtype !== 'float32') {
          throw new Error(
            `gradients: ${node.kernelName}'s gradient of '${name}' is ${dx.dtype}, not float32`,
          );
        }
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `gradients: ${node.kernelName}'s gradient of '${name}' has shape [${dx.shape.join(', ')}], ` +
              `its input [${x.shape.join(', ')}]`,
          );
        }
        const current = grads.get(x.id);
        grads.set(x.id, current === undefined ? dx : tf.add(current, dx));
      }
      // No op earlier on the tape reads these outputs' gradients, nor this op's saved tensors.
      for (const o of node.outputs) if (!keepIds.has(o.id)) grads.release(o.id, dy);
      for (const t of node.saved ?? []) if (!grads.holds(t)) t.dispose();
    }
    const result = xs.map((x) => grads.get(x.id));
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    return { value: y, grads: result };
  });
}

/**
 * `tf.variableGrads`, with the memory of each intermediate gradient and saved activation released as soon as
 * backpropagation is past it (tfjs keeps all of them to the end of the backward pass). Same arguments, same
 * results, same errors for a bad `varList`; a lower peak. Inside another gradient computation (higher-order
 * gradients) it is tf.variableGrads itself.
 *
 * ```ts
 * const { value, grads } = leanVariableGrads(() => tf.mean(tf.abs(tf.sub(model.apply(x) as tf.Tensor, y))) as tf.Scalar);
 * optimizer.applyGradients(grads);
 * tf.dispose([value, ...Object.values(grads)]);
 * ```
 */
export function leanVariableGrads(
  f: () => tf.Scalar,
  varList?: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tapeEngine();
  if (engine === undefined || engine.state.gradientDepth > 0) return tf.variableGrads(f, varList);
  const own = Object.prototype.hasOwnProperty.call(engine, 'gradients');
  const original = engine.gradients;
  engine.gradients = (g, xs, dy, allow) =>
    engine.state.gradientDepth > 0
      ? original.call(engine, g, xs, dy, allow)
      : leanGradients(engine, g, xs, dy, allow ?? false);
  try {
    return tf.variableGrads(f, varList);
  } finally {
    if (own) engine.gradients = original;
    else delete (engine as Partial<TapeEngine>).gradients;
  }
}
