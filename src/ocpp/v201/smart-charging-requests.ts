/**
 * Version-neutral smart-charging requests as OCPP 2.0.1 / 2.1 messages (SetChargingProfile with evseId,
 * ClearChargingProfile with its criteria, GetCompositeSchedule) and the answers read back. The profile is first fitted
 * to what the station's device model says (SmartChargingCtrlr.RateUnit, PeriodsPerSchedule: field notes §3 #22), then
 * checked against the spec's rules.
 */
import type { Domain } from '../../domain/domain.ts';
import type { CompositeSchedule, CompositeSchedulePeriod } from '../../domain/smart-charging/charging-profile.ts';
import { validateChargingProfile, type SmartChargingCapabilities } from '../../domain/smart-charging/profile-validation.ts';
import { fitProfileToStation } from '../../domain/smart-charging/station-fit.ts';
import type { NeutralStationResult } from '../../domain/commands/station-requests.ts';
import type { SmartChargingStationRequest } from '../../domain/smart-charging/station-requests.ts';
import type { CompletedCommand, TranslatedRequest } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';
import type { OcppVersion } from '../versions.ts';
import {
  OCPP2_STACK_LEVEL_REPLACEMENT, OCPP201_KINDS, OCPP201_PURPOSES, OCPP21_KINDS, OCPP21_PURPOSES, rateUnitsFromOcpp2Variable,
  toOcpp201ChargingProfile, toOcpp201SetChargingProfileRequest, toOcpp21ChargingProfile, toOcpp21SetChargingProfileRequest,
} from './charging-profiles.ts';

function wholeNumber(value: string | null | undefined): number | undefined {
  const n = value === null || value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** What the station advertises, from the stored device model (SmartChargingCtrlr, Actual values). */
export async function capabilities2(domain: Domain, stationId: string, version: OcppVersion): Promise<SmartChargingCapabilities> {
  const is21 = version === 'ocpp2.1';
  // 2.1 carries setpoints, discharge limits and operation modes (V2X); whether an EV may discharge is its own
  // NotifyEVChargingNeeds (ev-charging-needs.ts), which is what lets the planner plan it.
  const caps: SmartChargingCapabilities = { purposes: is21 ? OCPP21_PURPOSES : OCPP201_PURPOSES, kinds: is21 ? OCPP21_KINDS : OCPP201_KINDS, discharge: is21 };
  const variables = await domain.deviceModel.list(stationId, { component: 'SmartChargingCtrlr' });
  for (const v of variables) {
    if (v.attributeType !== 'Actual' || v.evseId !== null) continue;
    const name = v.variable.toLowerCase();
    if (name === 'rateunit' && v.value) {
      const units = rateUnitsFromOcpp2Variable(v.value);
      if (units.length > 0) caps.rateUnits = units;
    } else if (name === 'periodsperschedule') {
      const n = wholeNumber(v.value);
      if (n !== undefined && n > 0) caps.maxPeriodsPerSchedule = n;
    } else if (name === 'profilestacklevel') {
      const n = wholeNumber(v.value);
      if (n !== undefined) caps.maxStackLevel = n;
    } else if (name === 'entries' && v.variableInstance?.toLowerCase() === 'chargingprofiles' && v.maxLimit !== null) {
      caps.maxProfilesInstalled = v.maxLimit;
    }
  }
  return caps;
}

export async function translateRequest2(domain: Domain, stationId: string, version: OcppVersion, request: SmartChargingStationRequest): Promise<TranslatedRequest> {
  switch (request.kind) {
    case 'SetChargingProfile': {
      const caps = await capabilities2(domain, stationId, version);
      const fitted = fitProfileToStation(request.profile, caps, request.electrical);
      const transactions = (await domain.transactions.active(stationId)).map((t) => ({ evseId: t.evseId, transactionId: t.stationTxId }));
      // Joule does not know what else the station has installed, so the count of profiles is left to the station.
      const { maxProfilesInstalled: _unchecked, ...checked } = caps;
      const violations = validateChargingProfile({
        evseId: request.evseId, profile: fitted.profile, capabilities: checked, transactions, stackLevelReplacement: OCPP2_STACK_LEVEL_REPLACEMENT,
      });
      if (violations.length > 0) return { ok: false, message: `SetChargingProfile: ${violations.map((v) => `${v.path || '/'} ${v.message}`).join('; ')}`, errors: violations };
      const wire = version === 'ocpp2.1'
        ? toOcpp21SetChargingProfileRequest(request.evseId, fitted.profile)
        : toOcpp201SetChargingProfileRequest(request.evseId, fitted.profile);
      if (!wire.ok) return { ok: false, message: `SetChargingProfile: ${wire.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`, errors: wire.violations };
      return { ok: true, action: 'SetChargingProfile', payload: wire.value as unknown as Payload, sent: fitted.profile, changes: fitted.changes };
    }
    case 'ClearChargingProfile': {
      const payload: Payload = {};
      if (request.profileId !== undefined) payload.chargingProfileId = request.profileId;
      const criteria: Payload = {};
      if (request.evseId !== undefined) criteria.evseId = request.evseId;
      if (request.purpose !== undefined) criteria.chargingProfilePurpose = request.purpose;
      if (request.stackLevel !== undefined) criteria.stackLevel = request.stackLevel;
      if (Object.keys(criteria).length > 0) payload.chargingProfileCriteria = criteria;
      return { ok: true, action: 'ClearChargingProfile', payload, changes: [] };
    }
    case 'GetCompositeSchedule': {
      const payload: Payload = { evseId: request.evseId, duration: request.durationS };
      if (request.chargingRateUnit !== undefined) payload.chargingRateUnit = request.chargingRateUnit;
      return { ok: true, action: 'GetCompositeSchedule', payload, changes: [] };
    }
  }
}

interface CompositeAnswer2 {
  status: string;
  statusInfo?: { reasonCode: string; additionalInfo?: string };
  schedule?: {
    evseId: number;
    duration: number;
    scheduleStart: string;
    chargingRateUnit: 'A' | 'W';
    chargingSchedulePeriod: { startPeriod: number; limit?: number; numberPhases?: number }[];
  };
}

export function translateResponse2(request: SmartChargingStationRequest, translated: TranslatedRequest, response: Payload): NeutralStationResult {
  const answer = response as unknown as CompositeAnswer2;
  const result: NeutralStationResult = { kind: request.kind, status: typeof answer.status === 'string' ? answer.status : 'Unknown' };
  if (answer.statusInfo?.reasonCode) {
    result.reason = answer.statusInfo.additionalInfo ? `${answer.statusInfo.reasonCode}: ${answer.statusInfo.additionalInfo}` : answer.statusInfo.reasonCode;
  }
  if (request.kind === 'SetChargingProfile' && translated.ok && translated.sent) result.sent = translated.sent;
  if (request.kind === 'GetCompositeSchedule' && result.status === 'Accepted' && answer.schedule) {
    const s = answer.schedule;
    const composite: CompositeSchedule = {
      evseId: s.evseId,
      scheduleStart: s.scheduleStart,
      duration: s.duration,
      chargingRateUnit: s.chargingRateUnit,
      periods: s.chargingSchedulePeriod.map((p) => {
        const period: CompositeSchedulePeriod = { startPeriod: p.startPeriod };
        if (p.limit !== undefined) period.limit = p.limit;
        if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
        return period;
      }),
    };
    result.schedule = composite;
  }
  return result;
}

/**
 * Profile on authorization (F01/F02, K05): a RequestStartTransaction for an EVSE of a managed site that carries no
 * `chargingProfile` gets the planner's TxProfile for a session starting now (purpose TxProfile, no transactionId).
 * Without an evseId the station chooses the EVSE, so nothing is added.
 */
export async function completeRequestStart2(domain: Domain, stationId: string, version: OcppVersion, action: string, payload: Payload): Promise<CompletedCommand | undefined> {
  if (action !== 'RequestStartTransaction' || payload.chargingProfile !== undefined) return undefined;
  const evseId = payload.evseId;
  if (typeof evseId !== 'number' || !Number.isInteger(evseId) || evseId < 1) return undefined;
  const initial = await domain.smartCharging.initialProfile(stationId, evseId, await capabilities2(domain, stationId, version));
  if (!initial) return undefined;
  const wire = version === 'ocpp2.1' ? toOcpp21ChargingProfile(initial.profile) : toOcpp201ChargingProfile(initial.profile);
  if (!wire.ok) return undefined;
  return { payload: { ...payload, chargingProfile: wire.value as unknown as Payload }, changes: ['chargingProfile: the planner\'s TxProfile for the session', ...initial.changes] };
}
