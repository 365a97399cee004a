import { readFileSync } from 'node:fs';
import type { Config, Tensor } from '@strata/core';
import { clearSession } from '@strata/layers';
import { Model, Sequential } from '@strata/models';
import { type TensorJson, expectAllClose, fixturePath, fixtureTensor, readFixtureJson } from '@strata/test-utils';
import { type H5Group, readH5 } from '../h5/h5-file';

export const FIXTURES = ['mlp', 'cnn', 'functional', 'lstm', 'mnv2_block'] as const;

export interface FixtureIo {
  inputs: TensorJson[];
  outputs: TensorJson[];
  tolerance: { atol: number; rtol: number };
}

/** The fixture's model rebuilt from Keras' `config.json` (fresh automatic names). */
export function modelFromFixture(name: string): Model {
  clearSession();
  const spec = readFixtureJson<{ class_name: string; config: Config }>(name, 'keras_config.json');
  return (spec.class_name === 'Sequential' ? Sequential.fromConfig(spec.config) : Model.fromConfig(spec.config)) as Model;
}

export function fixtureBytes(name: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name, file)));
}

/** Predicts the fixture's inputs and checks Keras' outputs within its tolerance. */
export function expectFixtureOutputs(model: Model, name: string): void {
  const io = readFixtureJson<FixtureIo>(name, 'io.json');
  const inputs = io.inputs.map(fixtureTensor);
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as Tensor | Tensor[];
  const outs = Array.isArray(out) ? out : [out];
  outs.forEach((t, i) => {
    expectAllClose(t, io.outputs[i]!.data, { ...io.tolerance, shape: io.outputs[i]!.shape });
  });
  for (const t of [...inputs, ...outs]) t.dispose();
}

/** An entry of `h5tree.json` reduced to what a writer controls: path, kind, shape, dtype. */
export interface TreeEntry {
  path: string;
  kind: 'group' | 'dataset';
  shape?: number[];
  dtype?: string;
  name?: string;
}

/** The group/dataset tree of HDF5 bytes, sorted by path, with each group's `name` attribute. */
export async function h5Tree(bytes: Uint8Array): Promise<TreeEntry[]> {
  return readH5(bytes, 'tree.h5', (root) => {
    const out: TreeEntry[] = [];
    const walk = (g: H5Group) => {
      const name = g.attrNames().includes('name') ? (g.stringAttr('name') ?? undefined) : undefined;
      out.push({ path: g.path, kind: 'group', ...(name != null ? { name } : {}) });
      for (const key of g.keys()) {
        if (g.kind(key) === 'group') walk(g.requireGroup(key));
        else {
          const d = g.readDataset(key)!;
          out.push({ path: g.path === '/' ? `/${key}` : `${g.path}/${key}`, kind: 'dataset', shape: d.shape, dtype: d.dtype });
        }
      }
    };
    walk(root);
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  });
}

/** `h5tree.json`'s listing of one file, in the same reduced form. */
export function fixtureTree(name: string, file: string): TreeEntry[] {
  const tree = readFixtureJson<Record<string, { path: string; kind: 'group' | 'dataset'; shape?: number[]; dtype?: string; attrs: Record<string, { value: unknown }> }[]>>(
    name,
    'h5tree.json',
  );
  return tree[file]!
    .map((e) => {
      const n = e.attrs.name?.value;
      return {
        path: e.path,
        kind: e.kind,
        ...(e.kind === 'dataset' ? { shape: e.shape, dtype: e.dtype } : {}),
        ...(typeof n === 'string' ? { name: n } : {}),
      };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
