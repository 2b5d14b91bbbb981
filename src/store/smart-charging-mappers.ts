/**
 * Rows of the smart-charging tables (migration 4) to records, the same for both engines (each supplies its column
 * reader). Per-phase currents and tariff periods are JSON; a group key of `''` stands for "the site itself".
 */
import type {
  DemandResponseEventRecord, ExternalLoadRecord, InstalledChargingProfileRecord, PhaseCurrentsRecord, PricePointRecord,
  SessionNeedRecord, SessionNeedSource, SiteGroupRecord, SiteMemberRecord, SitePolicy, SiteRecord, SiteTariffRecord,
  TimeOfUsePeriodRecord,
} from './ports.ts';
import type { ColumnReader, ResultRow } from './record-mappers.ts';

export const SITE_POLICIES: readonly SitePolicy[] = ['equal-share', 'priority', 'first-come-first-served'];
export const NEED_SOURCES: readonly SessionNeedSource[] = ['api', 'station', 'default'];
export const PROFILE_STATUSES: readonly InstalledChargingProfileRecord['status'][] = ['Accepted', 'Rejected'];
const RATE_UNITS: readonly ('A' | 'W')[] = ['A', 'W'];
const PHASES: readonly ('L1' | 'L2' | 'L3')[] = ['L1', 'L2', 'L3'];

/** The group column of tables keyed by "site or one of its groups": `''` is the site itself. */
export const SITE_ROOT_KEY = '';

export function groupKey(groupId: string | null): string {
  return groupId ?? SITE_ROOT_KEY;
}

export function smartChargingMappers(c: ColumnReader) {
  const phaseCurrents = (row: ResultRow, column: string): PhaseCurrentsRecord | null => c.nullableJson<PhaseCurrentsRecord>(row, column);
  const number = (row: ResultRow, column: string): number => {
    const value = c.nullableNumber(row, column);
    if (value === null) throw new Error(`column ${column}: expected a number, got null`);
    return value;
  };
  const groupOf = (row: ResultRow, column: string): string | null => {
    const value = c.text(row, column);
    return value === SITE_ROOT_KEY ? null : value;
  };
  return {
    site(row: ResultRow): SiteRecord {
      return {
        id: c.text(row, 'id'),
        name: c.text(row, 'name'),
        policy: c.oneOf(row, 'policy', SITE_POLICIES),
        nominalVoltageV: number(row, 'nominal_voltage_v'),
        maxPowerW: c.nullableNumber(row, 'max_power_w'),
        maxCurrentA: phaseCurrents(row, 'max_current_a'),
        defaultEnergyWh: c.nullableNumber(row, 'default_energy_wh'),
        defaultDwellMinutes: c.nullableNumber(row, 'default_dwell_minutes'),
        slotSeconds: c.integer(row, 'slot_seconds'),
        horizonHours: number(row, 'horizon_hours'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    group(row: ResultRow): SiteGroupRecord {
      return {
        siteId: c.text(row, 'site_id'),
        id: c.text(row, 'id'),
        parentId: c.nullableText(row, 'parent_id'),
        name: c.nullableText(row, 'name'),
        maxPowerW: c.nullableNumber(row, 'max_power_w'),
        maxCurrentA: phaseCurrents(row, 'max_current_a'),
        nominalVoltageV: c.nullableNumber(row, 'nominal_voltage_v'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    member(row: ResultRow): SiteMemberRecord {
      const phases = c.integer(row, 'phases');
      if (phases !== 1 && phases !== 3) throw new Error(`column phases: expected 1 or 3, got ${phases}`);
      return {
        siteId: c.text(row, 'site_id'),
        stationId: c.text(row, 'station_id'),
        evseId: c.integer(row, 'evse_id'),
        groupId: c.nullableText(row, 'group_id'),
        phases,
        phase: c.nullableOneOf(row, 'phase', PHASES),
        phaseRotation: c.nullableText(row, 'phase_rotation'),
        maxCurrentA: number(row, 'max_current_a'),
        maxPowerW: c.nullableNumber(row, 'max_power_w'),
        minCurrentA: c.nullableNumber(row, 'min_current_a'),
        rateUnit: c.oneOf(row, 'rate_unit', RATE_UNITS),
        offlineFallbackA: c.nullableNumber(row, 'offline_fallback_a'),
        priority: c.integer(row, 'priority'),
        createdAt: c.text(row, 'created_at'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    tariff(row: ResultRow): SiteTariffRecord {
      return {
        siteId: c.text(row, 'site_id'),
        timeZone: c.text(row, 'time_zone'),
        defaultPricePerKWh: number(row, 'default_price_per_kwh'),
        periods: c.json<TimeOfUsePeriodRecord[]>(row, 'periods'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    pricePoint(row: ResultRow): PricePointRecord {
      return {
        siteId: c.text(row, 'site_id'),
        start: c.text(row, 'starts_at'),
        end: c.text(row, 'ends_at'),
        pricePerKWh: number(row, 'price_per_kwh'),
      };
    },

    demandResponseEvent(row: ResultRow): DemandResponseEventRecord {
      return {
        id: c.text(row, 'id'),
        siteId: c.text(row, 'site_id'),
        groupId: c.nullableText(row, 'group_id'),
        maxPowerW: c.nullableNumber(row, 'max_power_w'),
        maxCurrentA: phaseCurrents(row, 'max_current_a'),
        from: c.text(row, 'starts_at'),
        to: c.text(row, 'ends_at'),
        label: c.nullableText(row, 'label'),
        createdAt: c.text(row, 'created_at'),
      };
    },

    externalLoad(row: ResultRow): ExternalLoadRecord {
      return {
        siteId: c.text(row, 'site_id'),
        groupId: groupOf(row, 'group_key'),
        powerW: c.nullableNumber(row, 'power_w'),
        currentA: phaseCurrents(row, 'current_a'),
        at: c.text(row, 'measured_at'),
        receivedAt: c.text(row, 'received_at'),
      };
    },

    sessionNeed(row: ResultRow): SessionNeedRecord {
      return {
        transactionId: c.text(row, 'transaction_id'),
        energyWh: number(row, 'energy_wh'),
        departure: c.text(row, 'departure'),
        source: c.oneOf(row, 'source', NEED_SOURCES),
        evMaxPowerW: c.nullableNumber(row, 'ev_max_power_w'),
        evMaxCurrentA: c.nullableNumber(row, 'ev_max_current_a'),
        evMinCurrentA: c.nullableNumber(row, 'ev_min_current_a'),
        evMaxDischargePowerW: c.nullableNumber(row, 'ev_max_discharge_power_w'),
        evDischargeableWh: c.nullableNumber(row, 'ev_dischargeable_wh'),
        exportStartWh: c.nullableNumber(row, 'export_start_wh'),
        lastExportWh: c.nullableNumber(row, 'last_export_wh'),
        updatedAt: c.text(row, 'updated_at'),
      };
    },

    installedProfile(row: ResultRow): InstalledChargingProfileRecord {
      return {
        stationId: c.text(row, 'station_id'),
        evseId: c.integer(row, 'evse_id'),
        profileId: c.integer(row, 'profile_id'),
        purpose: c.text(row, 'purpose'),
        stackLevel: c.integer(row, 'stack_level'),
        transactionId: c.nullableText(row, 'transaction_id'),
        profile: c.json<Record<string, unknown>>(row, 'profile'),
        status: c.oneOf(row, 'status', PROFILE_STATUSES),
        sentAt: c.text(row, 'sent_at'),
      };
    },
  };
}
