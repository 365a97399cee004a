// Everything in test-utils that runs in a browser: all but the fixture readers, which use node:fs.
export * from './allclose';
export * from './memory';
export * from './gradcheck';
export * from './layer-checks';
export * from './conformance';
export * from './conformance-cases';
export * from './conformance-suite';
export * from './training-case';
export * from './training-suite';
