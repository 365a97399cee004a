export * from './allclose';
export * from './fixtures';
export * from './memory';
export * from './gradcheck';
export * from './layer-checks';
export * from './conformance';
export * from './conformance-cases';
