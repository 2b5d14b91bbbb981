/**
 * Version-neutral smart-charging requests as OCPP 1.6 messages (SetChargingProfile with csChargingProfiles and
 * connectorId, ClearChargingProfile, GetCompositeSchedule) and the answers read back. The profile is first fitted to
 * what the charge point reports in its configuration (field notes §3 #22), then checked against the spec's rules.
 */
import type { Domain } from '../../domain/domain.ts';
import type { CompositeSchedule, CompositeSchedulePeriod } from '../../domain/smart-charging/charging-profile.ts';
import { validateChargingProfile, type SmartChargingCapabilities } from '../../domain/smart-charging/profile-validation.ts';
import { fitProfileToStation } from '../../domain/smart-charging/station-fit.ts';
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { SmartChargingStationRequest } from '../../domain/smart-charging/station-requests.ts';
import type { CompletedCommand, TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';
import { OCPP16_KINDS, OCPP16_PURPOSES, OCPP16_STACK_LEVEL_REPLACEMENT, rateUnitsFromOcpp16Config, toOcpp16CsChargingProfiles, toOcpp16SetChargingProfileRequest } from './charging-profiles.ts';

function positiveInteger(value: string | null | undefined): number | undefined {
  const n = value === null || value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** What the charge point advertises, from the configuration Joule mirrored (GetConfiguration answers). */
export async function capabilities16(domain: Domain, stationId: string): Promise<SmartChargingCapabilities> {
  const keys = new Map((await domain.stations.configuration(stationId)).map((k) => [k.key, k.value]));
  const caps: SmartChargingCapabilities = { purposes: OCPP16_PURPOSES, kinds: OCPP16_KINDS };
  const units = keys.get('ChargingScheduleAllowedChargingRateUnit');
  if (units) {
    const parsed = rateUnitsFromOcpp16Config(units);
    if (parsed.length > 0) caps.rateUnits = parsed;
  }
  const periods = positiveInteger(keys.get('ChargingScheduleMaxPeriods'));
  if (periods !== undefined && periods > 0) caps.maxPeriodsPerSchedule = periods;
  const stack = positiveInteger(keys.get('ChargeProfileMaxStackLevel'));
  if (stack !== undefined) caps.maxStackLevel = stack;
  return caps;
}

const PURPOSE_16: Readonly<Record<string, string>> = { ChargingStationMaxProfile: 'ChargePointMaxProfile', TxDefaultProfile: 'TxDefaultProfile', TxProfile: 'TxProfile' };

export async function translateRequest16(domain: Domain, stationId: string, request: SmartChargingStationRequest): Promise<TranslatedRequest> {
  switch (request.kind) {
    case 'SetChargingProfile': {
      const caps = await capabilities16(domain, stationId);
      const fitted = fitProfileToStation(request.profile, caps, request.electrical);
      const transactions = (await domain.transactions.active(stationId)).map((t) => ({ evseId: t.evseId, transactionId: t.stationTxId }));
      const violations = validateChargingProfile({
        evseId: request.evseId, profile: fitted.profile, capabilities: caps, transactions, stackLevelReplacement: OCPP16_STACK_LEVEL_REPLACEMENT,
      });
      if (violations.length > 0) return { ok: false, message: `SetChargingProfile: ${violations.map((v) => `${v.path || '/'} ${v.message}`).join('; ')}`, errors: violations };
      const wire = toOcpp16SetChargingProfileRequest(request.evseId, fitted.profile);
      if (!wire.ok) return { ok: false, message: `SetChargingProfile: ${wire.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`, errors: wire.violations };
      return { ok: true, action: 'SetChargingProfile', payload: wire.value as unknown as Payload, sent: fitted.profile, changes: fitted.changes };
    }
    case 'ClearChargingProfile': {
      const payload: Payload = {};
      if (request.profileId !== undefined) payload.id = request.profileId;
      if (request.evseId !== undefined) payload.connectorId = request.evseId;
      if (request.purpose !== undefined) {
        const purpose = PURPOSE_16[request.purpose];
        if (!purpose) return { ok: false, message: `ClearChargingProfile: OCPP 1.6 has no ${request.purpose} profiles`, errors: [] };
        payload.chargingProfilePurpose = purpose;
      }
      if (request.stackLevel !== undefined) payload.stackLevel = request.stackLevel;
      return { ok: true, action: 'ClearChargingProfile', payload, changes: [] };
    }
    case 'GetCompositeSchedule': {
      const payload: Payload = { connectorId: request.evseId, duration: request.durationS };
      if (request.chargingRateUnit !== undefined) payload.chargingRateUnit = request.chargingRateUnit;
      return { ok: true, action: 'GetCompositeSchedule', payload, changes: [] };
    }
  }
}

interface CompositeAnswer16 {
  status: string;
  connectorId?: number;
  scheduleStart?: string;
  chargingSchedule?: {
    duration?: number;
    startSchedule?: string;
    chargingRateUnit: 'A' | 'W';
    chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
  };
}

export function translateResponse16(request: SmartChargingStationRequest, translated: TranslatedRequest, response: Payload): NeutralStationResult {
  const status = typeof response.status === 'string' ? response.status : 'Unknown';
  const result: NeutralStationResult = { kind: request.kind, status };
  if (request.kind === 'SetChargingProfile' && translated.ok && translated.sent) result.sent = translated.sent;
  if (request.kind === 'GetCompositeSchedule' && status === 'Accepted') {
    const answer = response as unknown as CompositeAnswer16;
    const schedule = answer.chargingSchedule;
    if (schedule) {
      const composite: CompositeSchedule = {
        evseId: answer.connectorId ?? request.evseId,
        scheduleStart: answer.scheduleStart ?? schedule.startSchedule ?? new Date().toISOString(),
        duration: schedule.duration ?? request.durationS,
        chargingRateUnit: schedule.chargingRateUnit,
        periods: schedule.chargingSchedulePeriod.map((p) => {
          const period: CompositeSchedulePeriod = { startPeriod: p.startPeriod, limit: p.limit };
          if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
          return period;
        }),
      };
      result.schedule = composite;
    }
  }
  return result;
}

/**
 * Profile on authorization (1.6 §5.11): a RemoteStartTransaction for a connector of a managed site that carries no
 * `chargingProfile` gets the planner's TxProfile for a session starting now (purpose TxProfile, no transactionId).
 * Without a connectorId the charge point chooses the connector, so nothing is added.
 */
export async function completeRemoteStart16(domain: Domain, stationId: string, action: string, payload: Payload): Promise<CompletedCommand | undefined> {
  if (action !== 'RemoteStartTransaction' || payload.chargingProfile !== undefined) return undefined;
  const connectorId = payload.connectorId;
  if (typeof connectorId !== 'number' || !Number.isInteger(connectorId) || connectorId < 1) return undefined;
  const initial = await domain.smartCharging.initialProfile(stationId, connectorId, await capabilities16(domain, stationId));
  if (!initial) return undefined;
  const wire = toOcpp16CsChargingProfiles(initial.profile);
  if (!wire.ok) return undefined;
  return { payload: { ...payload, chargingProfile: wire.value as unknown as Payload }, changes: ['chargingProfile: the planner\'s TxProfile for the session', ...initial.changes] };
}
