import { ValueError } from '@strata/core';
import { type FileMap, listFolder } from './file-list';
import { numpyShuffle } from './random-state';

/** Labels argument of the directory utilities: inferred from subfolders, none, or one per file. */
export type DirectoryLabels = 'inferred' | null | readonly number[];

export interface IndexedDirectory {
  /** File paths (`directory/class/relative path`), sorted then shuffled as Keras does. */
  filePaths: string[];
  /** One integer label per file, or `null` with `labels: null`. */
  labels: number[] | null;
  /** Names of the classes in label order, or `null` with `labels: null`. */
  classNames: string[] | null;
}

async function nodeModules(who: string): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  try {
    const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    // Bundlers for the browser resolve node: modules to empty stubs rather than failing.
    if (typeof fs.readdir !== 'function' || typeof fs.stat !== 'function') throw new Error('no node:fs');
    return { fs, path };
  } catch {
    throw new ValueError(
      `${who}: reading a directory needs Node's file system (node:fs); it is not available here. In a browser, pass the files as a list of File objects or { path, source } entries instead.`,
    );
  }
}

/** One folder entry: a file, a folder, or a symlinked folder not followed (`skip`). */
export interface FolderEntry {
  name: string;
  kind: 'file' | 'dir' | 'skip';
}

/** What the indexing needs from a file system: folder listings and "is this a folder". */
export interface DirectoryView {
  /** The entries of a folder; throws when it cannot be listed. */
  readdir(dir: string, followLinks: boolean): Promise<FolderEntry[]>;
  isDirectory(path: string): Promise<boolean>;
}

/** The real file system (Node). */
export async function nodeDirectoryView(who: string): Promise<DirectoryView> {
  const { fs } = await nodeModules(who);
  return {
    async readdir(dir, followLinks) {
      const out: FolderEntry[] = [];
      for (const e of await fs.readdir(dir, { withFileTypes: true })) {
        let isDir = e.isDirectory();
        if (e.isSymbolicLink()) {
          isDir = await fs.stat(join(dir, e.name)).then(
            (st) => st.isDirectory(),
            () => false,
          );
          if (isDir && !followLinks) {
            out.push({ name: e.name, kind: 'skip' });
            continue;
          }
        }
        out.push({ name: e.name, kind: isDir ? 'dir' : 'file' });
      }
      return out;
    },
    isDirectory: (path) =>
      fs.stat(path).then(
        (st) => st.isDirectory(),
        () => false,
      ),
  };
}

/** A directory given as a list of files (the browser form), rooted at ''. */
export function listingDirectoryView(files: FileMap): DirectoryView {
  return {
    async readdir(dir) {
      const entries = listFolder(files, dir);
      if (entries == null) throw new Error(`no listed file under ${dir}/`);
      return entries.map(({ name, isDir }) => ({ name, kind: isDir ? 'dir' : 'file' }));
    },
    isDirectory: async (path) => path === '' || (listFolder(files, path)?.length ?? 0) > 0,
  };
}

/** Python's `os.path.join` for two POSIX parts ('' as the second part gives a trailing slash). */
const join = (a: string, b: string): string => (b.startsWith('/') ? b : a === '' ? b : a.endsWith('/') ? a + b : `${a}/${b}`);

/** Python's `sorted` on strings: by code point. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Files of `dir` and its subfolders whose lower-cased names end with one of `formats`, in Keras'
 * order: folders sorted by their path (as `sorted(os.walk(dir))`), names sorted inside each.
 * Symlinked folders are entered only with `followLinks` (symlinked files always count).
 */
async function walkValidFiles(view: DirectoryView, dir: string, followLinks: boolean, formats: readonly string[], who: string): Promise<{ root: string; name: string }[]> {
  const roots: { root: string; files: string[] }[] = [];
  const visit = async (root: string): Promise<void> => {
    let entries: FolderEntry[];
    try {
      entries = await view.readdir(root, followLinks);
    } catch (e) {
      if (roots.length === 0) throw new ValueError(`${who}: cannot read directory ${root}: ${(e as Error).message}`);
      return; // os.walk skips folders it cannot list
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const e of entries) {
      if (e.kind === 'dir') subdirs.push(join(root, e.name));
      else if (e.kind === 'file') files.push(e.name);
    }
    roots.push({ root, files });
    for (const s of subdirs) await visit(s);
  };
  await visit(dir);
  roots.sort((a, b) => byCodePoint(a.root, b.root));
  const out: { root: string; name: string }[] = [];
  for (const { root, files } of roots) {
    for (const name of files.sort(byCodePoint)) {
      const lower = name.toLowerCase();
      if (formats.some((f) => lower.endsWith(f))) out.push({ root, name });
    }
  }
  return out;
}

/**
 * Keras' `dataset_utils.index_directory`: lists the files of `directory` with their labels. With
 * `labels: 'inferred'` each non-hidden subfolder is a class (alphanumeric order, or the order of
 * `classNames`); files are listed class by class in sorted order, then (with `shuffle`) permuted
 * with NumPy's `RandomState(seed)` exactly as Keras does, so a seed gives Keras' file order.
 * `options.view`: where the folders are listed (default: Node's file system; a listing's view
 * for the browser form, with `directory` '').
 */
export async function indexDirectory(
  directory: string,
  labels: DirectoryLabels,
  formats: readonly string[],
  options: { classNames?: readonly string[] | null; shuffle?: boolean; seed?: number | null; followLinks?: boolean; who?: string; view?: DirectoryView } = {},
): Promise<IndexedDirectory> {
  const { shuffle = true, followLinks = false, who = 'indexDirectory' } = options;
  let classNames = options.classNames ?? null;
  const view = options.view ?? (await nodeDirectoryView(who));
  let subdirs: string[];
  if (labels === 'inferred') {
    let names: string[];
    try {
      names = (await view.readdir(directory, true)).map((e) => e.name).sort(byCodePoint);
    } catch (e) {
      throw new ValueError(`${who}: cannot read \`directory\` ${directory}: ${(e as Error).message}`);
    }
    subdirs = [];
    for (const name of names) {
      const isDir = await view.isDirectory(join(directory, name));
      if (isDir && !name.startsWith('.')) subdirs.push(name);
    }
    if (classNames != null) {
      const missing = classNames.filter((c) => !subdirs.includes(c));
      if (missing.length > 0) {
        throw new ValueError(
          `${who}: the \`class_names\` passed did not match the names of the subdirectories of the target directory ${directory}. Expected: ${JSON.stringify(subdirs)} (or a subset of it), but received: class_names=${JSON.stringify(classNames)}`,
        );
      }
      subdirs = [...classNames];
    }
  } else {
    subdirs = [''];
    if (classNames != null) {
      throw new ValueError(
        labels === null
          ? `${who}: when \`labels=None\` (no labels), argument \`class_names\` cannot be specified.`
          : `${who}: when argument \`labels\` is specified, argument \`class_names\` cannot be specified (the \`class_names\` will be the sorted list of labels).`,
      );
    }
  }
  const filePaths: string[] = [];
  const inferred: number[] = [];
  for (let ci = 0; ci < subdirs.length; ci++) {
    const sub = subdirs[ci]!;
    const dirpath = join(directory, sub);
    for (const { root, name } of await walkValidFiles(view, dirpath, followLinks, formats, who)) {
      // Keras keeps `directory/subdir/<path relative to the class folder>`.
      const rel = join(root, name).slice(dirpath === '' || dirpath.endsWith('/') ? dirpath.length : dirpath.length + 1);
      filePaths.push(join(dirpath, rel));
      inferred.push(ci);
    }
  }
  let outLabels: number[] | null;
  if (labels === 'inferred') {
    outLabels = inferred;
    classNames = subdirs;
  } else if (labels === null) {
    outLabels = null;
    classNames = null;
  } else {
    if (labels.length !== filePaths.length) {
      throw new ValueError(
        `${who}: expected the lengths of \`labels\` to match the number of files in the target directory. len(labels) is ${labels.length} while we found ${filePaths.length} files in directory ${directory}.`,
      );
    }
    outLabels = [...labels];
    classNames = [...new Set(labels)].sort((a, b) => a - b).map(String);
  }
  if (shuffle) {
    const seed = options.seed ?? Math.floor(Math.random() * 1e6);
    numpyShuffle(filePaths, seed);
    if (outLabels) numpyShuffle(outLabels, seed);
  }
  return { filePaths, labels: outLabels, classNames: classNames ? [...classNames] : null };
}

/**
 * Keras' `get_training_or_validation_split`: the last `int(validationSplit * n)` samples are the
 * validation subset, the rest the training subset (with Python slicing, so a split that rounds to
 * 0 samples leaves the training subset EMPTY, as in Keras).
 */
export function getTrainingOrValidationSplit<T>(
  samples: T[],
  labels: number[] | null,
  validationSplit: number | null | undefined,
  subset: 'training' | 'validation' | null | undefined,
  who = 'getTrainingOrValidationSplit',
): [T[], number[] | null] {
  if (!validationSplit) return [samples, labels];
  const numVal = Math.trunc(validationSplit * samples.length);
  // Python's x[:-k] and x[-k:] with k = 0 give [] and everything.
  const cut = numVal === 0 ? 0 : samples.length - numVal;
  if (subset === 'training') return [samples.slice(0, cut), labels ? labels.slice(0, cut) : null];
  if (subset === 'validation') return [samples.slice(cut), labels ? labels.slice(cut) : null];
  throw new ValueError(`${who}: \`subset\` must be either "training" or "validation", received: ${String(subset)}`);
}

/** Keras' `check_validation_split_arg`. */
export function checkValidationSplitArg(
  validationSplit: number | null | undefined,
  subset: string | null | undefined,
  shuffle: boolean,
  seed: number | null | undefined,
  who: string,
): void {
  if (validationSplit && !(validationSplit > 0 && validationSplit < 1)) {
    throw new ValueError(`${who}: \`validation_split\` must be between 0 and 1, received: ${validationSplit}`);
  }
  if ((validationSplit || subset) && !(validationSplit && subset)) {
    throw new ValueError(`${who}: if \`subset\` is set, \`validation_split\` must be set, and inversely.`);
  }
  if (subset != null && !['training', 'validation', 'both'].includes(subset)) {
    throw new ValueError(`${who}: \`subset\` must be either "training", "validation" or "both", received: ${subset}`);
  }
  if (validationSplit && shuffle && seed == null) {
    throw new ValueError(
      `${who}: if using \`validation_split\` and shuffling the data, you must provide a \`seed\` argument, to make sure that there is no overlap between the training and validation subset.`,
    );
  }
}
