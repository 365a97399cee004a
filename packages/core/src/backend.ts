import { tfc } from './engine';
import { BackendError } from './errors';

export type BackendFactory = () => tfc.KernelBackend | Promise<tfc.KernelBackend>;

/** Names of every registered backend, highest priority first. */
export function listBackends(): string[] {
  const registry = (tfc.engine() as unknown as { registryFactory: Record<string, { priority: number }> })
    .registryFactory;
  return Object.keys(registry).sort((a, b) => registry[b]!.priority - registry[a]!.priority);
}

export function getBackend(): string {
  return tfc.getBackend();
}

/**
 * Switches the backend. It may be called at any time: existing tensors and variables stay valid and
 * their data moves to the new backend the first time a kernel there reads them.
 */
export async function setBackend(name: string): Promise<void> {
  const known = listBackends();
  if (!known.includes(name)) {
    throw new BackendError(
      `Unknown backend '${name}'. Registered backends: ${known.join(', ') || 'none'}. ` +
        `Import its package (e.g. @strata/backend-${name}) to register it.`,
    );
  }
  const ok = await tfc.setBackend(name);
  if (!ok) throw new BackendError(`Backend '${name}' failed to initialise.`);
  await tfc.ready();
}

/** Registers a backend under `name`; used by the @strata/backend-* packages. */
export function registerBackend(name: string, factory: BackendFactory, priority = 1): boolean {
  return tfc.registerBackend(name, factory, priority);
}

export async function ready(): Promise<void> {
  await tfc.ready();
}
