/**
 * JSON schemas of the smart-charging API (sites, groups, EVSEs, tariffs, prices, demand response, external load,
 * session needs, installed profiles, plans): they validate requests, serialize responses and become OpenAPI
 * components. Property maps are checked against the record types, as in schemas.ts.
 */
import type { EvsePlanView, SessionScheduleView, SitePlanView } from '../domain/smart-charging/plan-view.ts';
import type { UnmetNeedView } from '../domain/smart-charging/site-plan.ts';
import type {
  DemandResponseEventRecord, ExternalLoadRecord, InstalledChargingProfileRecord, PricePointRecord, SessionNeedRecord,
  SiteGroupRecord, SiteMemberRecord, SiteRecord, SiteTariffRecord,
} from '../store/ports.ts';

type JsonSchema = Record<string, unknown>;
type PropertiesOf<T> = Record<keyof T, JsonSchema>;

const d = (description?: string): JsonSchema => (description ? { description } : {});
const str = (description?: string): JsonSchema => ({ type: 'string', ...d(description) });
const nullableStr = (description?: string): JsonSchema => ({ type: ['string', 'null'], ...d(description) });
const time = (description?: string): JsonSchema => ({ type: 'string', format: 'date-time', ...d(description) });
const num = (description?: string): JsonSchema => ({ type: 'number', ...d(description) });
const nullableNum = (description?: string): JsonSchema => ({ type: ['number', 'null'], ...d(description) });
const int = (description?: string): JsonSchema => ({ type: 'integer', ...d(description) });
const record = (properties: JsonSchema, description: string): JsonSchema => ({ type: 'object', description, required: Object.keys(properties), properties });

export const SITE_POLICIES = ['equal-share', 'priority', 'first-come-first-served'] as const;

/** A current per phase: one number for L1, L2 and L3, or three numbers. */
export const phaseCurrents = (description: string, nullable = true): JsonSchema => ({
  description,
  anyOf: [
    { type: 'number' },
    { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
    ...(nullable ? [{ type: 'null' }] : []),
  ],
});

const limitProperties = {
  maxPowerW: nullableNum('Total active power limit, W (null: none)'),
  maxCurrentA: phaseCurrents('Current limit per phase, A: one number for all phases or [L1, L2, L3] (null: none)'),
};

const site = record({
  id: str(),
  name: str(),
  policy: { type: 'string', enum: [...SITE_POLICIES], description: 'How capacity is divided among the sessions' },
  nominalVoltageV: num('Phase-to-neutral voltage of the supply (groups and EVSEs inherit it)'),
  ...limitProperties,
  defaultEnergyWh: nullableNum('Energy a session without a need of its own is planned to get'),
  defaultDwellMinutes: nullableNum('How long such a session is assumed to stay'),
  slotSeconds: int('Length of a planning slot'),
  horizonHours: num('How far ahead sessions are planned'),
  createdAt: time(),
  updatedAt: time(),
} satisfies PropertiesOf<SiteRecord>, 'A site: the root of its group tree, with the grid connection\'s limit');

const group = record({
  siteId: str(),
  id: str(),
  parentId: nullableStr('The parent group (null: directly under the site)'),
  name: nullableStr(),
  ...limitProperties,
  nominalVoltageV: nullableNum('Null: the parent\'s'),
  createdAt: time(),
  updatedAt: time(),
} satisfies PropertiesOf<SiteGroupRecord>, 'A group of a site\'s tree (feeder, board, row of stations) with its limit');

const member = record({
  siteId: str(),
  stationId: str(),
  evseId: int('EVSE id (a 1.6 connector N is EVSE N)'),
  groupId: nullableStr('Null: directly under the site'),
  phases: { type: 'integer', enum: [1, 3] },
  phase: { type: ['string', 'null'], enum: ['L1', 'L2', 'L3', null], description: 'Single-phase EVSEs: the site phase they are on' },
  phaseRotation: { type: ['string', 'null'], enum: ['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR', null], description: 'Three-phase EVSEs: OCPP PhaseRotation' },
  maxCurrentA: num('The EVSE\'s rating per phase'),
  maxPowerW: nullableNum(),
  minCurrentA: nullableNum('Below this a session is paused (null: 6 A)'),
  rateUnit: { type: 'string', enum: ['A', 'W'], description: 'The unit the station takes in charging schedules' },
  offlineFallbackA: nullableNum('What the station draws per phase while offline (null: its maximum)'),
  priority: int('Higher is served first under the priority policy'),
  createdAt: time(),
  updatedAt: time(),
} satisfies PropertiesOf<SiteMemberRecord>, 'An EVSE of a site: where it hangs in the tree and how it is wired');

const periodSchema = {
  type: 'object',
  required: ['from', 'to', 'pricePerKWh'],
  additionalProperties: false,
  properties: {
    from: { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: 'Local clock time HH:MM' },
    to: { type: 'string', pattern: '^\\d{2}:\\d{2}$', description: 'Local clock time HH:MM; the period wraps past midnight when to <= from' },
    pricePerKWh: num(),
    weekdays: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, description: 'ISO weekdays (1 = Monday); absent: every day' },
  },
};

const tariff = record({
  siteId: str(),
  timeZone: str('IANA time zone of the clock times'),
  defaultPricePerKWh: num('The price outside every period'),
  periods: { type: 'array', items: periodSchema, description: 'The first matching period sets the price' },
  updatedAt: time(),
} satisfies PropertiesOf<SiteTariffRecord>, 'A site\'s time-of-use tariff');

const pricePoint = record({
  siteId: str(),
  start: time(),
  end: time(),
  pricePerKWh: num(),
} satisfies PropertiesOf<PricePointRecord>, 'One price of a dynamic price signal, holding in [start, end)');

const demandResponseEvent = record({
  id: str(),
  siteId: str(),
  groupId: nullableStr('Null: the whole site'),
  ...limitProperties,
  from: time(),
  to: time(),
  label: nullableStr(),
  createdAt: time(),
} satisfies PropertiesOf<DemandResponseEventRecord>, 'The site (or a group) stays under this limit from `from` to `to`');

const externalLoad = record({
  siteId: str(),
  groupId: nullableStr('Null: measured at the site\'s grid connection'),
  powerW: nullableNum('Total power, W (negative: exporting)'),
  currentA: phaseCurrents('Current per phase, A'),
  at: time('When it was measured'),
  receivedAt: time(),
} satisfies PropertiesOf<ExternalLoadRecord>, 'The newest reading of load Joule does not control (building, heat pump, ...)');

const sessionNeed = record({
  transactionId: str(),
  energyWh: num('Energy by departure, counted from the start of the transaction'),
  departure: time(),
  source: { type: 'string', enum: ['api', 'station', 'default'], description: 'api: given here; station: the EV said it (NotifyEVChargingNeeds); default: the site\'s default' },
  evMaxPowerW: nullableNum(),
  evMaxCurrentA: nullableNum(),
  evMinCurrentA: nullableNum(),
  evMaxDischargePowerW: nullableNum('V2G: the EV\'s maximum discharge power (only an OCPP 2.1 EV that asked for bidirectional transfer in NotifyEVChargingNeeds); null: it does not discharge'),
  evDischargeableWh: nullableNum('V2G: energy the EV may give back below its level when it told its needs (down to its minimum state of charge)'),
  exportStartWh: nullableNum('The outlet\'s Energy.Active.Export.Register when first seen with this need'),
  lastExportWh: nullableNum('The latest Energy.Active.Export.Register: the session gave back lastExportWh - exportStartWh'),
  updatedAt: time(),
} satisfies PropertiesOf<SessionNeedRecord>, 'What a charging session needs');

const installedProfile = record({
  stationId: str(),
  evseId: int('0: the whole station'),
  profileId: int(),
  purpose: str(),
  stackLevel: int(),
  transactionId: nullableStr('Joule\'s transaction id, for a TxProfile'),
  profile: { type: 'object', additionalProperties: true, description: 'The charging profile as sent (version-neutral)' },
  status: { type: 'string', enum: ['Accepted', 'Rejected'], description: 'What the station answered' },
  sentAt: time(),
} satisfies PropertiesOf<InstalledChargingProfileRecord>, 'A charging profile Joule sent to a station');

const evsePlan = record({
  stationId: str(),
  evseId: int(),
  online: { type: 'boolean' },
  state: { type: 'string', enum: ['charging', 'paused', 'offline', 'idle'] },
  transactionId: nullableStr(),
  limit: num('The limit now, in rateUnit (an idle EVSE: what an arriving EV may draw)'),
  rateUnit: { type: 'string', enum: ['A', 'W'] },
  numberPhases: int(),
  currentA: num('Per phase'),
  powerW: num(),
  pauseReason: nullableStr('capacity, evse-limit-below-minimum or planned-pause'),
  limitingGroupId: nullableStr('The group whose limit held the session back (null with a state of charging: the site, or nothing)'),
  drawCapA: nullableNum('The EV drew clearly less than offered: capped near its draw'),
  defaultCurrentA: num('TxDefaultProfile per phase: what an EV arriving here may draw before its own plan'),
} satisfies PropertiesOf<EvsePlanView>, 'An EVSE\'s limit now');

const unmetNeed = record({
  transactionId: str(),
  stationId: str(),
  evseId: int(),
  shortfallWh: num(),
  reason: { type: 'string', enum: ['capacity', 'departure-too-soon', 'ev-max-power'] },
  detail: str(),
  limitingGroupIds: { type: 'array', items: { type: ['string', 'null'] }, description: 'For capacity: the groups that held it back (null: the site)' },
} satisfies PropertiesOf<UnmetNeedView>, 'A need that cannot be met, and why');

const sessionSchedule = record({
  transactionId: str(),
  stationId: str(),
  evseId: int(),
  mode: { type: 'string', enum: ['scheduled', 'opportunistic', 'offline'] },
  needSource: { type: 'string', enum: ['session', 'site-default', 'none'] },
  departure: { type: ['string', 'null'], format: 'date-time' },
  requestedWh: nullableNum(),
  plannedWh: num(),
  cost: num('Energy cost of the plan'),
  rateUnit: { type: 'string', enum: ['A', 'W'] },
  limits: { type: 'array', items: { type: 'number' }, description: 'The limit per slot' },
} satisfies PropertiesOf<SessionScheduleView>, 'A session\'s planned schedule');

const sitePlan = record({
  siteId: str(),
  at: time(),
  policy: str(),
  evses: { type: 'array', items: evsePlan },
  sessions: { type: 'array', items: sessionSchedule },
  unmet: { type: 'array', items: unmetNeed },
  slots: {
    type: 'object',
    required: ['start', 'slotSeconds', 'starts', 'pricePerKWh', 'sitePowerW', 'siteLimitW'],
    properties: {
      start: time(),
      slotSeconds: int(),
      starts: { type: 'array', items: time() },
      pricePerKWh: { type: 'array', items: { type: 'number' } },
      sitePowerW: { type: 'array', items: { type: 'number' }, description: 'Planned power at the grid connection per slot (external load included)' },
      siteLimitW: { type: 'array', items: { type: ['number', 'null'] }, description: 'The site power limit in force per slot' },
    },
  },
  totalCost: num(),
  totalEnergyWh: num(),
  windowsInForce: { type: 'array', items: str(), description: 'Demand-response events in force now' },
  warnings: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Groups over their limit through load Joule does not control' },
  skipped: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Sessions the planner left out, and why' },
} satisfies PropertiesOf<SitePlanView>, 'A site\'s plan: the limits now, the schedules ahead, the needs that cannot be met');

export const SMART_CHARGING_SCHEMAS = {
  Site: site,
  SiteGroup: group,
  SiteEvse: member,
  Tariff: tariff,
  PricePoint: pricePoint,
  DemandResponseEvent: demandResponseEvent,
  ExternalLoad: externalLoad,
  SessionNeed: sessionNeed,
  InstalledChargingProfile: installedProfile,
  SitePlan: sitePlan,
} as const;

export type SmartChargingSchemaId = keyof typeof SMART_CHARGING_SCHEMAS;
