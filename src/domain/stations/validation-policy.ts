import type { ClusterBus } from '../../cluster/bus.ts';
import type { StationRecord, Store, ValidationMode, ValidationRuleRecord } from '../../store/ports.ts';
import { DomainError } from '../errors.ts';

export const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'lenient', 'log-only'];

/** What identifies a station's make, as its BootNotification says. */
export interface StationIdentity {
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
}

export interface ValidationRuleInput {
  id: string;
  vendor: string;
  model?: string | null;
  firmwarePrefix?: string | null;
  mode: ValidationMode;
  description?: string | null;
}

/**
 * Chooses how strictly a station's messages are validated (field notes §2 #2): the station's own setting, else the
 * most specific vendor rule that matches its BootNotification (vendor + model + firmware prefix, then vendor + model,
 * then vendor), else the server default. Rules are few and read on every connect and boot, so they are cached and
 * reloaded when any node changes them.
 */
export class ValidationPolicy {
  private readonly store: Store;
  private readonly bus: ClusterBus;
  private readonly defaultMode: ValidationMode;
  private rules: Promise<ValidationRuleRecord[]> | undefined;

  constructor(store: Store, bus: ClusterBus, defaultMode: ValidationMode) {
    this.store = store;
    this.bus = bus;
    this.defaultMode = defaultMode;
    bus.subscribe((event) => {
      if (event.type === 'validation.rules-changed') this.rules = undefined;
    });
  }

  /** The mode for a known station (undefined: a station never seen, which gets the default until it boots). */
  async modeFor(station: StationRecord | undefined): Promise<ValidationMode> {
    if (!station) return this.defaultMode;
    if (station.validationMode) return station.validationMode;
    return this.modeForIdentity({ vendor: station.vendor, model: station.model, firmwareVersion: station.firmwareVersion });
  }

  /** The mode the vendor rules give a make of station (used for a BootNotification before it is stored). */
  async modeForIdentity(identity: StationIdentity): Promise<ValidationMode> {
    const rule = bestRule(await this.loadRules(), identity);
    return rule?.mode ?? this.defaultMode;
  }

  listRules(): Promise<ValidationRuleRecord[]> {
    return this.loadRules();
  }

  async putRule(input: ValidationRuleInput): Promise<ValidationRuleRecord> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.id)) throw new DomainError('invalid', 'rule id must be 1-64 letters, digits, dots, dashes or underscores');
    if (!input.vendor.trim()) throw new DomainError('invalid', 'vendor must not be empty');
    if (!VALIDATION_MODES.includes(input.mode)) throw new DomainError('invalid', `mode must be one of ${VALIDATION_MODES.join(', ')}`);
    const record = await this.store.validationRules.put({
      id: input.id,
      vendor: input.vendor.trim(),
      model: input.model?.trim() || null,
      firmwarePrefix: input.firmwarePrefix || null,
      mode: input.mode,
      description: input.description ?? null,
    });
    this.changed();
    return record;
  }

  async deleteRule(id: string): Promise<void> {
    if (!(await this.store.validationRules.delete(id))) throw new DomainError('not_found', `Validation rule ${id} is not known`);
    this.changed();
  }

  private changed(): void {
    this.rules = undefined;
    this.bus.publish({ type: 'validation.rules-changed', data: {} });
  }

  private loadRules(): Promise<ValidationRuleRecord[]> {
    this.rules ??= this.store.validationRules.list().catch((err: unknown) => {
      this.rules = undefined;
      throw err;
    });
    return this.rules;
  }
}

/**
 * Lenient validation stores an over-long vendor or model truncated (1.6 allows 20 characters): a rule written with
 * the full name still matches the stored prefix, so the rule that admitted the boot keeps applying after it.
 */
const STORED_NAME_LIMIT = 20;

function sameName(ruleName: string, stored: string): boolean {
  const r = ruleName.toLowerCase();
  return r === stored || (stored.length >= STORED_NAME_LIMIT && r.startsWith(stored));
}

/** The most specific matching rule: vendor + model + firmware prefix (longest), then vendor + model, then vendor. */
export function bestRule(rules: readonly ValidationRuleRecord[], identity: StationIdentity): ValidationRuleRecord | undefined {
  const vendor = identity.vendor?.trim().toLowerCase();
  if (!vendor) return undefined;
  const model = identity.model?.trim().toLowerCase() ?? null;
  let best: { rule: ValidationRuleRecord; score: number } | undefined;
  for (const rule of rules) {
    if (!sameName(rule.vendor, vendor)) continue;
    if (rule.model !== null && (model === null || !sameName(rule.model, model))) continue;
    if (rule.firmwarePrefix !== null && !(identity.firmwareVersion ?? '').startsWith(rule.firmwarePrefix)) continue;
    const score = (rule.model === null ? 0 : 1_000) + (rule.firmwarePrefix?.length ?? -1) + 1;
    if (!best || score > best.score) best = { rule, score };
  }
  return best?.rule;
}
