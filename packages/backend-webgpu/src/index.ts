// Importing this package registers 'webgpu' as a Strata backend: tfjs' WebGPU backend on the
// browser's `navigator.gpu` or, in Node, on Dawn (the `webgpu` npm package), plus corrections of the
// tfjs-backend-webgpu kernels that give wrong results. It does not become the default:
// `await setBackend('webgpu')` opts in.
import '@strata/core';
import { BackendError, registerBackend } from '@strata/core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tfc from '@tensorflow/tfjs-core';
import { type AcquiredDevice, type WebGPUAdapterReport, type WebGPUOptions, acquireDevice } from './adapter';
import { registerTrainingKernels } from './kernels/index';

interface EngineState {
  registry: Record<string, unknown>;
}
const initialised = (): boolean => (tfc.engine() as unknown as EngineState).registry.webgpu != null;

let options: WebGPUOptions = {};
let acquired: AcquiredDevice | null = null;

/**
 * Sets how the 'webgpu' backend finds its GPU (a GPU object to use, the power preference, the Dawn
 * attempts in Node). Takes effect at the next initialisation, so it must be called before the first
 * successful `setBackend('webgpu')` (or after a failed one).
 */
export function configureWebGPU(next: WebGPUOptions): void {
  if (initialised()) {
    throw new BackendError(
      `configureWebGPU: the 'webgpu' backend is already initialised on ${acquired?.report.description || acquired?.report.device || 'its adapter'}; ` +
        'configure it before the first setBackend(\'webgpu\').',
    );
  }
  options = { ...next };
}

/**
 * The adapter the 'webgpu' backend runs on (vendor, architecture, device, description, whether it is
 * a fallback or software adapter, where it came from and which Dawn backend gave it), or null before
 * `setBackend('webgpu')` succeeded.
 */
export function webgpuAdapterInfo(): WebGPUAdapterReport | null {
  return acquired == null ? null : { ...acquired.report, tried: [...acquired.report.tried] };
}

/** Whether this platform lets tfjs-backend-webgpu read GPU data synchronously (it draws to an OffscreenCanvas). */
const canReadSync = (): boolean => typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined';

interface TensorDataLike {
  values?: unknown;
  dtype: string;
}

/**
 * tfjs' WebGPU backend with a clear error where a synchronous read cannot work: outside browsers
 * (Node + Dawn) there is no OffscreenCanvas, and WebGPU itself only maps buffers asynchronously.
 */
export class StrataWebGPUBackend extends WebGPUBackend {
  /** Every data id this backend holds, so their values can be fetched before a switch (see below). */
  private readonly live = new Set<object>();

  override write(...args: Parameters<WebGPUBackend['write']>): ReturnType<WebGPUBackend['write']> {
    const id = super.write(...args);
    this.live.add(id);
    return id;
  }

  override move(...args: Parameters<WebGPUBackend['move']>): void {
    super.move(...args);
    this.live.add(args[0]);
  }

  override makeTensorInfo(...args: Parameters<WebGPUBackend['makeTensorInfo']>): ReturnType<WebGPUBackend['makeTensorInfo']> {
    const info = super.makeTensorInfo(...args);
    this.live.add(info.dataId);
    return info;
  }

  override disposeData(dataId: object, force?: boolean): boolean {
    const disposed = super.disposeData(dataId, force);
    if (!this.tensorMap.has(dataId)) this.live.delete(dataId);
    return disposed;
  }

  /**
   * Called by core's `setBackend` before another backend becomes active. Tensors move there lazily
   * through `readSync`, which Node cannot do: fetch every value to the host now, asynchronously, so
   * the later synchronous reads find them cached.
   */
  async prepareToLeave(): Promise<void> {
    if (canReadSync()) return;
    // Ids tfjs only marked for disposal are freed by the next queue submission (which `read` does).
    const pending = (this as unknown as { tensorDataPendingDisposal: object[] }).tensorDataPendingDisposal;
    for (const id of [...this.live]) {
      if (this.tensorMap.has(id) && !pending.includes(id)) await this.read(id);
    }
  }

  override readSync(dataId: object): ReturnType<WebGPUBackend['readSync']> {
    const data = this.tensorMap.get(dataId) as unknown as TensorDataLike;
    if (canReadSync() || data.values != null || data.dtype === 'string' || data.dtype === 'complex64') return super.readSync(dataId);
    throw new BackendError(
      "The 'webgpu' backend cannot read GPU memory synchronously here (no OffscreenCanvas, and WebGPU maps buffers " +
        'only asynchronously): use `await tensor.data()` / `await tensor.array()` instead of dataSync()/arraySync(), ' +
        "or switch to a backend with synchronous reads (await setBackend('cpu') / 'wasm') before reading.",
    );
  }
}

async function createBackend(): Promise<tfc.KernelBackend> {
  const got = await acquireDevice(options);
  const backend = new StrataWebGPUBackend(got.device as never, got.info as never);
  acquired = got;
  got.device.lost?.then((info) => {
    // A lost device (driver reset, GPU removed) leaves every tensor on it unreadable: say so loudly.
    if (info?.reason !== 'destroyed') {
      console.warn(`@strata/backend-webgpu: the WebGPU device was lost (${info?.message ?? 'no reason given'}). Switch to another backend.`);
    }
  });
  return backend as unknown as tfc.KernelBackend;
}

// tfjs-backend-webgpu registers its own 'webgpu' factory at priority 3 when `navigator.gpu` exists
// (browsers): that would make it the default backend, initialised without our adapter choice or
// error messages. Ours replaces it unless someone already initialised theirs.
if (tfc.findBackendFactory('webgpu') != null && !initialised()) tfc.removeBackend('webgpu');

/**
 * Priority 0, below cpu's 1 (and wasm's 2): importing the package must not make 'webgpu' the default.
 * Its initialisation is asynchronous (tfjs' implicit choice of the best backend cannot await it and
 * would throw on the first synchronous op), it loads a native module in Node, and on a machine without
 * a GPU it lands on a software rasteriser slower than cpu. So it is opt-in: `await setBackend('webgpu')`.
 */
export const WEBGPU_PRIORITY = 0;

registerBackend('webgpu', createBackend, WEBGPU_PRIORITY);

/** The kernels this package added to (or corrected in) the webgpu backend. */
export const addedKernels: readonly string[] = registerTrainingKernels();

export { DEFAULT_DAWN_ATTEMPTS, type DawnAttempt, type WebGPUAdapterReport, type WebGPUOptions } from './adapter';
export type { GPUAdapterInfoLike, GPUAdapterLike, GPUDeviceLike, GPULike, GPURequestAdapterOptionsLike } from './gpu-types';
export { trainingKernels, correctedKernels, registerTrainingKernels } from './kernels/index';
