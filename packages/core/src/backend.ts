import { tfc } from './engine';
import { BackendError } from './errors';

export type BackendFactory = () => tfc.KernelBackend | Promise<tfc.KernelBackend>;

interface FactoryEntry {
  factory: BackendFactory;
  priority: number;
}

/** The parts of tfjs' engine that say what is registered and what is initialised. */
interface EngineState {
  registryFactory: Record<string, FactoryEntry>;
  registry: Record<string, tfc.KernelBackend>;
  backendName: string | null;
}

const engineState = (): EngineState => tfc.engine() as unknown as EngineState;

/**
 * Why each backend's last initialisation failed. tfjs only logs such errors and answers `false`; they
 * are kept here so `setBackend` can say why, and so `listBackends` leaves the backend out. A later
 * successful initialisation (a driver installed, a GPU provided) clears the entry.
 */
const initFailures = new Map<string, unknown>();

const guarded = Symbol.for('strata.backendFactoryGuarded');

/**
 * Wraps the registered factory of `name` (once) so that its failure, thrown or rejected, is recorded.
 * Works for backends registered through tfjs directly (e.g. by importing a tfjs backend package) too.
 */
function guardFactory(name: string): void {
  const entry = engineState().registryFactory[name];
  if (entry == null || (entry.factory as unknown as Record<symbol, boolean>)[guarded]) return;
  const original = entry.factory;
  const record = (err: unknown): never => {
    initFailures.set(name, err);
    throw err;
  };
  const wrapped = (() => {
    let made: ReturnType<BackendFactory>;
    try {
      made = original();
    } catch (err) {
      return record(err);
    }
    if (made != null && typeof (made as Promise<tfc.KernelBackend>).then === 'function') {
      return (made as Promise<tfc.KernelBackend>).then((b) => {
        initFailures.delete(name);
        return b;
      }, record);
    }
    initFailures.delete(name);
    return made;
  }) as BackendFactory;
  (wrapped as unknown as Record<symbol, boolean>)[guarded] = true;
  entry.factory = wrapped;
}

/** Every registered backend name, highest priority first, whether or not it can initialise here. */
function registeredBackends(): string[] {
  const registry = engineState().registryFactory;
  return Object.keys(registry).sort((a, b) => registry[b]!.priority - registry[a]!.priority);
}

const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Names of the backends registered here that are usable, highest priority first: every registered
 * backend except those whose initialisation was tried and failed (e.g. 'webgpu' on a machine without
 * a GPU adapter, after `setBackend('webgpu')` rejected). A backend that was never initialised is
 * listed (registration means its package was imported and its platform check passed); to find out for
 * sure, at the price of initialising each one, use {@link listUsableBackends}.
 */
export function listBackends(): string[] {
  return registeredBackends().filter((name) => !initFailures.has(name));
}

/**
 * Initialises every registered backend that is not initialised yet (without switching the active
 * backend) and resolves to the names of those that work, highest priority first. What `listBackends`
 * cannot know before a backend is tried: a GPU adapter, a loadable `.wasm` file. The initialised
 * backends stay initialised (a later `setBackend` to them is immediate).
 */
export async function listUsableBackends(): Promise<string[]> {
  const e = engineState();
  for (const name of registeredBackends()) {
    if (e.registry[name] != null) continue;
    guardFactory(name);
    const engine = tfc.engine() as unknown as {
      initializeBackend(n: string): { success: boolean | Promise<boolean>; asyncInit: boolean };
    };
    // The engine would log the failure as a warning; the failure is recorded by the guard instead.
    const { success } = engine.initializeBackend(name);
    const ok = await success;
    if (!ok && !initFailures.has(name)) initFailures.set(name, new Error('initialisation returned no backend'));
  }
  return listBackends();
}

/**
 * Why the last initialisation of backend `name` failed, or null if it did not fail (or was never
 * tried).
 */
export function backendInitError(name: string): Error | null {
  const err = initFailures.get(name);
  if (err == null) return null;
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The active backend's name. Before any op ran, this initialises the default (highest-priority
 * usable) backend, as the first op would, instead of answering nothing.
 */
export function getBackend(): string {
  if (engineState().backendName == null) {
    try {
      void (tfc.engine() as unknown as { backend: unknown }).backend;
    } catch {
      // An asynchronous default backend is still initialising: `await ready()` first.
    }
  }
  return tfc.getBackend();
}

/**
 * Switches the backend. It may be called at any time: existing tensors and variables stay valid and
 * their data moves to the new backend the first time a kernel there reads them. If the backend fails
 * to initialise, the promise rejects with a `BackendError` (the backend's own one if it threw a
 * `BackendError`, else one quoting its error) and the previously active backend stays active.
 */
export async function setBackend(name: string): Promise<void> {
  const known = registeredBackends();
  if (!known.includes(name)) {
    throw new BackendError(
      `Unknown backend '${name}'. Registered backends: ${known.join(', ') || 'none'}. ` +
        `Import its package (e.g. @strata/backend-${name}) to register it.`,
    );
  }
  const previous = engineState().backendName;
  const leaving = previous != null && previous !== name ? engineState().registry[previous] : undefined;
  // Tensors move to the new backend lazily, through a synchronous read of the old one. A backend that
  // cannot read synchronously (WebGPU in Node) fetches its data to the host here, while it can wait.
  await (leaving as { prepareToLeave?: () => Promise<void> } | undefined)?.prepareToLeave?.();
  guardFactory(name);
  let ok: boolean;
  try {
    ok = await tfc.setBackend(name);
  } catch (err) {
    initFailures.set(name, err);
    ok = false;
  }
  if (!ok) {
    // tfjs leaves the failed name active with no backend instance; go back to the one that worked.
    if (previous != null && previous !== name && engineState().registry[previous] != null) await tfc.setBackend(previous);
    // Nothing to go back to: let the next op pick the best usable backend, as before this call.
    else if (engineState().backendName === name) engineState().backendName = null;
    const err = initFailures.get(name);
    if (err instanceof BackendError) throw err;
    const usable = listBackends().filter((b) => b !== name);
    throw new BackendError(
      `Backend '${name}' failed to initialise${err == null ? '' : `: ${describeError(err)}`}. ` +
        `Usable backends: ${usable.join(', ') || 'none'}${usable.length > 0 ? ` (e.g. await setBackend('${usable[0]}'))` : ''}.`,
    );
  }
  initFailures.delete(name);
  await tfc.ready();
}

/** Registers a backend under `name`; used by the @strata/backend-* packages. */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): boolean {
  return tfc.registerBackend(name, factory, priority);
}

export async function ready(): Promise<void> {
  await tfc.ready();
}
