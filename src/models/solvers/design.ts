// The data the convex models fit on: the feature matrix as a fingrad tensor (for the float32
// stage, evaluated by ops and autograd) and as a float64 host copy (for the polishing stage and
// the exact solvers). x is read, and every check made, by the one reader of all estimators
// (../input.ts).
import { Tensor } from '../../tensor/tensor.js';
import { type FeatureInput, type HostRows, featureSpec, readRows } from '../input.js';

export interface Design extends HostRows {
  /** [n, d] float32; `owned` says whether it was made here (and must be disposed). */
  x: Tensor;
  owned: boolean;
}

/** Validates x (2-D, finite, `expectD` columns when given) and makes its two copies. */
export function readFeatures(where: string, x: FeatureInput, expectD?: number): Design {
  const rows = readRows(where, x, featureSpec(expectD));
  if (x instanceof Tensor) return { x, owned: false, ...rows };
  const t = Tensor.empty([rows.n, rows.d]);
  t.data.set(rows.host);
  return { x: t, owned: true, ...rows };
}

/** Frees the tensor copy if readFeatures made it. */
export function releaseFeatures(design: Design): void {
  if (design.owned) design.x.dispose();
}
