/**
 * A small wrapper over h5wasm for the Keras weight formats.
 *
 * - `readH5(bytes, filename, fn)` opens HDF5 bytes read-only and runs `fn(root)`;
 *   `writeH5(fn)` creates a file, runs `fn(root)` and returns its bytes. The scratch file in
 *   h5wasm's FS lives only for the call. In Node, reads are parsed in a worker thread that is
 *   terminated when libhdf5 does not finish in the file's time limit (src/h5/h5-worker.ts);
 *   browsers parse on the calling thread.
 * - `H5Group` is the handle both give: walk (`keys`, `kind`, `getGroup`, `requireGroup`), read
 *   (`readDataset` -> `{ data, shape, dtype }`, `attr`, `stringAttr`, `stringListAttr`) and write
 *   (`createGroup`, `writeDataset`, `setStringAttr`, `setStringListAttr`, `setNumberListAttr`,
 *   `deleteAttr`). Part B's full-model `.h5` writer passes `root.createGroup('model_weights')` to
 *   `writeLegacyWeightsInto(group, model)` (src/weights/legacy-weights.ts) and its reader passes
 *   `root.requireGroup('model_weights')` to `readLegacyWeightsFrom(group, model)`.
 */
export {
  H5Group,
  HDF5_OBJECT_HEADER_LIMIT,
  isHdf5,
  readH5,
  writeH5,
  type H5Array,
  type H5AttrValue,
  type H5Data,
  type H5Dtype,
  type H5StringOptions,
} from './h5-file';
export { arraySplit, readChunkedStringList, writeChunkedStringList } from './attributes';
export { loadH5wasm } from './h5wasm';
