// The slice of the WebGPU API this package touches, typed structurally, so that neither the package nor
// its users need `@webgpu/types` in their compilation.

export interface GPUAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface GPUDeviceLike {
  features: { has(name: string): boolean };
  queue: unknown;
  lost?: Promise<{ reason?: string; message?: string }>;
  destroy?(): void;
}

export interface GPUAdapterLike {
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  info?: GPUAdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestDevice(descriptor?: Record<string, unknown>): Promise<GPUDeviceLike>;
}

export interface GPURequestAdapterOptionsLike {
  powerPreference?: 'low-power' | 'high-performance';
  featureLevel?: 'core' | 'compatibility';
  forceFallbackAdapter?: boolean;
}

/** `navigator.gpu` or what Dawn's `create()` returns. */
export interface GPULike {
  requestAdapter(options?: GPURequestAdapterOptionsLike): Promise<GPUAdapterLike | null>;
}
