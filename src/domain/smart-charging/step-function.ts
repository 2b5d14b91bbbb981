/**
 * Piecewise-constant functions over a time window, the working form of the composite schedule: `value[i]` holds on
 * [at[i], at[i+1]) and the last step until the window end. Combining two of them walks their breakpoints once
 * (O(n + m)), so the composite costs O(profiles x periods), never a per-second scan.
 *
 * `value` undefined = no schedule period covers that time; Infinity = a period covers it but sets no limit.
 */
export interface Steps {
  at: number[];
  value: (number | undefined)[];
  phases: (number | undefined)[];
}

/** Appends steps, merging a step into the previous one when nothing changes. */
export class StepBuilder {
  readonly at: number[] = [];
  readonly value: (number | undefined)[] = [];
  readonly phases: (number | undefined)[] = [];

  push(t: number, value: number | undefined, phases: number | undefined): void {
    const n = this.at.length;
    if (n > 0 && this.value[n - 1] === value && this.phases[n - 1] === phases) return;
    if (n > 0 && this.at[n - 1] === t) {
      this.value[n - 1] = value;
      this.phases[n - 1] = phases;
      // The overwrite may have made this step equal to the one before it.
      if (n > 1 && this.value[n - 2] === value && this.phases[n - 2] === phases) {
        this.at.pop();
        this.value.pop();
        this.phases.pop();
      }
      return;
    }
    this.at.push(t);
    this.value.push(value);
    this.phases.push(phases);
  }

  build(): Steps {
    return { at: this.at, value: this.value, phases: this.phases };
  }
}

/** True when the function has no period anywhere (the neutral element of min and overlay). */
export function isEmptySteps(s: Steps): boolean {
  return s.at.length === 1 && s.value[0] === undefined;
}

export function constantSteps(start: number, value: number | undefined, phases: number | undefined): Steps {
  return { at: [start], value: [value], phases: [phases] };
}

type ValueOp = (a: number | undefined, b: number | undefined) => number | undefined;
type PhasesOp = (pa: number | undefined, pb: number | undefined, a: number | undefined, b: number | undefined) => number | undefined;

/** Both functions must start at the same time (the window start). */
export function zipSteps(a: Steps, b: Steps, value: ValueOp, phases: PhasesOp): Steps {
  const out = new StepBuilder();
  let i = 0;
  let j = 0;
  let t = a.at[0] ?? 0;
  for (;;) {
    const va = a.value[i];
    const vb = b.value[j];
    out.push(t, value(va, vb), phases(a.phases[i], b.phases[j], va, vb));
    const na = i + 1 < a.at.length ? (a.at[i + 1] as number) : Infinity;
    const nb = j + 1 < b.at.length ? (b.at[j + 1] as number) : Infinity;
    if (na === Infinity && nb === Infinity) break;
    t = Math.min(na, nb);
    if (na === t) i++;
    if (nb === t) j++;
  }
  return out.build();
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/**
 * The lower of two limits wherever either is defined. numberPhases: the lowest one set (2.1 K §3.8 "Avoiding phase
 * conflicts": the lowest value of all applicable profiles is used).
 */
export function minSteps(a: Steps, b: Steps): Steps {
  if (isEmptySteps(b)) return a;
  if (isEmptySteps(a)) return b;
  return zipSteps(a, b, minDefined, (pa, pb) => minDefined(pa, pb));
}

/** `primary` where it has a period, else `fallback` (TxProfile over TxDefaultProfile, 2.0.1 K §3.5). */
export function overlaySteps(primary: Steps, fallback: Steps): Steps {
  if (isEmptySteps(primary)) return fallback;
  if (isEmptySteps(fallback)) return primary;
  return zipSteps(
    primary,
    fallback,
    (a, b) => (a !== undefined ? a : b),
    (pa, pb, a) => (a !== undefined ? pa : pb),
  );
}

/** The sum of two EVSEs' limits; where either is unlimited (or undefined), so is the sum. */
export function sumSteps(a: Steps, b: Steps): Steps {
  return zipSteps(
    a,
    b,
    (x, y) => (x === undefined || y === undefined ? Infinity : x + y),
    (pa, pb) => maxDefined(pa, pb),
  );
}

/** `extra` added on top of `base` where both are finite (2.1 LocalGeneration); elsewhere `base` unchanged. */
export function addOnTop(base: Steps, extra: Steps): Steps {
  return zipSteps(
    base,
    extra,
    (x, y) => (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) ? x + y : x),
    (pa) => pa,
  );
}
