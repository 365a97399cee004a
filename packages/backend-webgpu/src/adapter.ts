// Finding a WebGPU adapter and device: the browser's `navigator.gpu`, Dawn (the `webgpu` npm package)
// in Node, or a GPU the user hands in. Nothing here imports Node modules statically, so browser bundles
// never see Dawn.
import { BackendError } from '@strata/core';
import type { GPUAdapterInfoLike, GPUAdapterLike, GPUDeviceLike, GPULike, GPURequestAdapterOptionsLike } from './gpu-types';

/** One way of asking Dawn for an adapter: instance flags for `create()` and the adapter feature level. */
export interface DawnAttempt {
  /** Shown in `webgpuAdapterInfo().dawnBackend` and in the error listing what was tried. */
  label: string;
  /** Dawn instance options, e.g. `['backend=opengles']`. */
  flags: string[];
  featureLevel: 'core' | 'compatibility';
  /** Environment variables set for Dawn when not already set (e.g. `EGL_PLATFORM`). */
  env?: Record<string, string>;
}

/**
 * The Dawn attempts made in Node, best first: Dawn's native backend at full WebGPU ("core") level
 * (Vulkan on Linux, Metal on macOS, D3D12 on Windows: a real GPU), then OpenGL ES at the
 * "compatibility" level with a surfaceless EGL display, which runs on Mesa's llvmpipe on a machine
 * without a GPU (and on GL-only GPUs).
 */
export const DEFAULT_DAWN_ATTEMPTS: readonly DawnAttempt[] = [
  { label: 'default', flags: [], featureLevel: 'core' },
  { label: 'opengles', flags: ['backend=opengles'], featureLevel: 'compatibility', env: { EGL_PLATFORM: 'surfaceless' } },
];

export interface WebGPUOptions {
  /**
   * The GPU to request adapters from instead of `navigator.gpu` or Dawn: `navigator.gpu` of another
   * realm, a Dawn instance made with your own flags, or a test double. A function is called once, at
   * initialisation.
   */
  gpu?: GPULike | (() => GPULike | Promise<GPULike>);
  /** Passed to `requestAdapter` (default 'high-performance': the discrete GPU of a dual-GPU machine). */
  powerPreference?: 'high-performance' | 'low-power';
  /** Node only: what to ask Dawn for, in order (default {@link DEFAULT_DAWN_ATTEMPTS}). */
  dawnAttempts?: readonly DawnAttempt[];
}

/** What `webgpuAdapterInfo()` reports about the adapter the 'webgpu' backend runs on. */
export interface WebGPUAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** As reported by WebGPU (`GPUAdapterInfo.isFallbackAdapter`). */
  isFallbackAdapter: boolean;
  /**
   * True for a fallback adapter or a known software rasteriser (Mesa llvmpipe/lavapipe/softpipe,
   * SwiftShader, WARP): correct but slower than a GPU, often slower than the wasm backend.
   */
  software: boolean;
  /** Where the GPU came from. */
  source: 'option' | 'navigator.gpu' | 'dawn';
  /** The Dawn attempt that gave the adapter ('default', 'opengles', ...); null outside Dawn. */
  dawnBackend: string | null;
  featureLevel: 'core' | 'compatibility';
  /** Every attempt made, with its outcome, in order. */
  tried: string[];
}

export interface AcquiredDevice {
  adapter: GPUAdapterLike;
  device: GPUDeviceLike;
  info: GPUAdapterInfoLike;
  report: WebGPUAdapterReport;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render|\bwarp\b/i;

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  platform?: string;
}

const nodeProcess = (): NodeProcess | null => {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node != null ? p : null;
};

const navigatorGpu = (): GPULike | null =>
  ((globalThis as { navigator?: { gpu?: GPULike } }).navigator?.gpu as GPULike | undefined) ?? null;

/** The adapter's info, whichever way this WebGPU implementation exposes it. */
function adapterInfo(adapter: GPUAdapterLike): GPUAdapterInfoLike {
  return adapter.info ?? {};
}

function reportOf(
  adapter: GPUAdapterLike,
  source: WebGPUAdapterReport['source'],
  dawnBackend: string | null,
  featureLevel: 'core' | 'compatibility',
  tried: string[],
): WebGPUAdapterReport {
  const i = adapterInfo(adapter);
  const isFallbackAdapter = Boolean(i.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  const text = [i.vendor, i.architecture, i.device, i.description].join(' ');
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    device: i.device ?? '',
    description: i.description ?? '',
    isFallbackAdapter,
    software: isFallbackAdapter || SOFTWARE.test(text),
    source,
    dawnBackend,
    featureLevel,
    tried,
  };
}

const describe = (a: GPUAdapterLike): string => {
  const i = adapterInfo(a);
  return [i.vendor, i.device || i.architecture, i.description].filter((s) => s != null && s !== '').join(', ') || 'unnamed adapter';
};

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** The hint every "no adapter" error ends with. */
const FALLBACK_HINT =
  "Fall back to another backend: import '@strata/backend-wasm' and `await setBackend('wasm')`, " +
  "or `await setBackend('cpu')`.";

/** Dawn's `create` and `globals`, loaded only when needed (never by a browser bundle). */
interface DawnModule {
  create(flags: string[]): GPULike;
  globals: Record<string, unknown>;
}

let dawnModule: Promise<DawnModule> | null = null;

function loadDawn(): Promise<DawnModule> {
  // The specifier is a variable and the import carries ignore hints, so bundlers leave it alone: the
  // native `dawn.node` inside the `webgpu` package only ever loads in Node.
  const specifier = 'webgpu';
  dawnModule ??= import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<DawnModule>;
  return dawnModule;
}

/** Makes `navigator.gpu` and the `GPUBufferUsage`-style globals exist, as tfjs-backend-webgpu expects. */
function installGlobals(gpu: GPULike, globals: Record<string, unknown> = {}): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav == null) {
    g.navigator = { gpu };
  } else if (nav.gpu == null) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, enumerable: true });
  }
}

async function request(
  gpu: GPULike,
  options: GPURequestAdapterOptionsLike,
): Promise<{ adapter: GPUAdapterLike | null; error?: string }> {
  try {
    return { adapter: await gpu.requestAdapter(options) };
  } catch (err) {
    return { adapter: null, error: errorText(err) };
  }
}

interface Candidate {
  adapter: GPUAdapterLike;
  gpu: GPULike;
  dawnBackend: string | null;
  featureLevel: 'core' | 'compatibility';
  globals?: Record<string, unknown>;
}

/**
 * Asks `gpu` for an adapter at the core level and then at the compatibility level; a hardware
 * adapter wins over a software one.
 */
async function fromGpu(gpu: GPULike, powerPreference: 'high-performance' | 'low-power', label: string, tried: string[]): Promise<Candidate | null> {
  let software: Candidate | null = null;
  for (const featureLevel of ['core', 'compatibility'] as const) {
    const { adapter, error } = await request(gpu, { powerPreference, featureLevel });
    const what = `${label} (featureLevel '${featureLevel}')`;
    if (adapter == null) {
      tried.push(`${what}: ${error ?? 'no adapter'}`);
      continue;
    }
    const c: Candidate = { adapter, gpu, dawnBackend: null, featureLevel };
    if (!reportOf(adapter, 'option', null, featureLevel, []).software) {
      tried.push(`${what}: ${describe(adapter)}`);
      return c;
    }
    tried.push(`${what}: ${describe(adapter)} (software)`);
    software ??= c;
  }
  return software;
}

async function fromDawn(attempts: readonly DawnAttempt[], powerPreference: 'high-performance' | 'low-power', tried: string[]): Promise<Candidate | null> {
  let dawn: DawnModule;
  try {
    dawn = await loadDawn();
  } catch (err) {
    tried.push(`Dawn (npm 'webgpu'): could not be loaded: ${errorText(err)}`);
    return null;
  }
  const proc = nodeProcess();
  let software: Candidate | null = null;
  for (const attempt of attempts) {
    const what = `Dawn ${attempt.label}${attempt.flags.length > 0 ? ` [${attempt.flags.join(', ')}]` : ''} (featureLevel '${attempt.featureLevel}')`;
    if (attempt.env != null && proc?.env != null) {
      // Read by Dawn's EGL/Vulkan loaders when the instance starts; a user's own setting wins.
      for (const [k, v] of Object.entries(attempt.env)) proc.env[k] ??= v;
    }
    let gpu: GPULike;
    try {
      gpu = dawn.create(attempt.flags);
    } catch (err) {
      tried.push(`${what}: ${errorText(err)}`);
      continue;
    }
    const { adapter, error } = await request(gpu, { powerPreference, featureLevel: attempt.featureLevel });
    if (adapter == null) {
      tried.push(`${what}: ${error ?? 'no adapter'}`);
      continue;
    }
    const c: Candidate = { adapter, gpu, dawnBackend: attempt.label, featureLevel: attempt.featureLevel, globals: dawn.globals };
    if (!reportOf(adapter, 'dawn', attempt.label, attempt.featureLevel, []).software) {
      tried.push(`${what}: ${describe(adapter)}`);
      return c;
    }
    tried.push(`${what}: ${describe(adapter)} (software)`);
    software ??= c;
  }
  return software;
}

/** What a machine without any adapter needs, by platform. */
function installHint(): string {
  const proc = nodeProcess();
  if (proc == null) {
    return 'This browser exposes no usable WebGPU adapter (WebGPU needs a secure context and a browser that ships it, e.g. Chrome/Edge 113+; headless Chromium needs --enable-unsafe-webgpu).';
  }
  if (proc.platform === 'linux') {
    return (
      'On Linux, Dawn needs for a GPU the Vulkan loader and driver (Debian: libvulkan1 and the vendor driver; ' +
      "NVIDIA's Vulkan driver also loads libEGL.so.1 from libegl1 on machines without a display) or, without a GPU, " +
      'Mesa through EGL (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev).'
    );
  }
  return 'Dawn found no GPU driver it can use.';
}

/**
 * Finds the best adapter (hardware before software, full WebGPU before compatibility mode) and
 * creates a device on it, requesting the adapter's own limits as tfjs-backend-webgpu does. Throws a
 * `BackendError` listing every attempt when there is no adapter.
 */
export async function acquireDevice(options: WebGPUOptions = {}): Promise<AcquiredDevice> {
  const powerPreference = options.powerPreference ?? 'high-performance';
  const tried: string[] = [];
  let chosen: Candidate | null = null;
  let source: WebGPUAdapterReport['source'];
  if (options.gpu != null) {
    source = 'option';
    let gpu: GPULike;
    try {
      gpu = typeof options.gpu === 'function' ? await options.gpu() : options.gpu;
    } catch (err) {
      throw new BackendError(`WebGPU: the 'gpu' option failed: ${errorText(err)}. ${FALLBACK_HINT}`);
    }
    chosen = await fromGpu(gpu, powerPreference, "the GPU given in configureWebGPU({ gpu })", tried);
  } else if (navigatorGpu() != null) {
    source = 'navigator.gpu';
    chosen = await fromGpu(navigatorGpu()!, powerPreference, 'navigator.gpu', tried);
  } else if (nodeProcess() != null) {
    source = 'dawn';
    chosen = await fromDawn(options.dawnAttempts ?? DEFAULT_DAWN_ATTEMPTS, powerPreference, tried);
  } else {
    throw new BackendError(`WebGPU is not available: navigator.gpu is missing. ${installHint()} ${FALLBACK_HINT}`);
  }
  if (chosen == null) {
    throw new BackendError(
      `No WebGPU adapter for the 'webgpu' backend. Tried: ${tried.join('; ')}. ${installHint()} ${FALLBACK_HINT}`,
    );
  }
  installGlobals(chosen.gpu, chosen.globals);
  const { adapter } = chosen;
  const requiredFeatures: string[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  // The limits tfjs-backend-webgpu sizes its dispatches and buffers by: ask for all the adapter has.
  const requiredLimits: Record<string, number> = {};
  for (const k of [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ]) {
    const v = adapter.limits[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  let device: GPUDeviceLike;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (err) {
    throw new BackendError(`WebGPU: the adapter ${describe(adapter)} refused to create a device: ${errorText(err)}. ${FALLBACK_HINT}`);
  }
  const report = reportOf(adapter, source, chosen.dawnBackend, chosen.featureLevel, tried);
  return { adapter, device, info: adapterInfo(adapter), report };
}
