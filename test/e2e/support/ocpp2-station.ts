import { createRequire } from 'node:module';
import { RawStation } from './raw-station.ts';
import type { TestServer } from './test-server.ts';

// An independent OCPP library (ocpp-rpc) in strict mode: it validates every frame Joule sends against the OCA schemas.
const require = createRequire(import.meta.url);
const rpc = require('ocpp-rpc') as {
  RPCClient: new (options: Record<string, unknown>) => RpcClient;
  createRPCError: (code: string, message?: string, details?: Record<string, unknown>) => Error;
};

let validator21: unknown;

/**
 * ocpp-rpc 2.2.1 ships the OCA 2.1 schemas under their own ids (`urn:BootNotificationRequest`) but looks schemas up as
 * `urn:BootNotification.req`, so its built-in 2.1 strict mode finds none. This validator (same schemas, same Ajv as
 * ocpp-rpc, looked up under the ids ocpp-rpc asks for) takes its place; Ajv's strict-mode warnings about the enum
 * definitions of the 2.1 schemas are turned off.
 */
function strictValidator21(): unknown {
  if (validator21) return validator21;
  const fromRpc = createRequire(require.resolve('ocpp-rpc'));
  const Ajv = fromRpc('ajv') as new (options: Record<string, unknown>) => AjvInstance;
  const addFormats = fromRpc('ajv-formats') as (ajv: AjvInstance) => void;
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  for (const schema of fromRpc('./lib/schemas/ocpp2_1.json') as { $id: string }[]) {
    ajv.addSchema({ ...schema, $id: schema.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf') });
  }
  validator21 = {
    subprotocol: 'ocpp2.1',
    validate(schemaId: string, params: unknown) {
      const validate = ajv.getSchema(schemaId);
      if (!validate) throw rpc.createRPCError('ProtocolError', `Schema '${schemaId}' is missing from the 2.1 schemas`);
      if (!validate(params)) throw rpc.createRPCError('FormatViolation', ajv.errorsText(validate.errors), { errors: validate.errors });
      return true;
    },
  };
  return validator21;
}

interface AjvInstance {
  addSchema(schema: unknown): void;
  getSchema(id: string): (((data: unknown) => boolean) & { errors?: unknown }) | undefined;
  errorsText(errors: unknown): string;
}

/** The part of ocpp-rpc's RPCClient the tests use. */
export interface RpcClient {
  readonly protocol: string | undefined;
  connect(): Promise<unknown>;
  call(method: string, params: unknown): Promise<any>;
  handle(handler: (call: { method: string; params: any }) => unknown): void;
  on(event: string, listener: (...args: any[]) => void): void;
  close(options?: { force?: boolean; code?: number; reason?: string }): Promise<unknown>;
}

/** A station's canned answer to a CSMS request: a payload, or a function of the request's payload. */
export type Answer = Record<string, unknown> | ((params: any) => Record<string, unknown>);

export type OcppProtocol2 = 'ocpp2.0.1' | 'ocpp2.1';
/** The strict station may also speak 1.6 (e.g. a mixed fleet). */
export type StrictProtocol = 'ocpp1.6' | OcppProtocol2;

/**
 * A station built on ocpp-rpc in strict mode (2.x by default): every frame Joule sends it (answers and requests) is checked
 * against the OCA schemas; `failures` collects what failed and must stay empty. It answers CSMS requests from
 * `answers` (an action without an answer gets NotImplemented) and records them in `received`.
 */
export interface StrictStation {
  readonly id: string;
  readonly client: RpcClient;
  readonly failures: unknown[];
  readonly received: { method: string; params: any }[];
  readonly answers: Record<string, Answer>;
  /** CALL to the CSMS; resolves with the CALLRESULT payload, rejects with an ocpp-rpc RPCError on a CALLERROR. */
  call(action: string, payload: unknown): Promise<any>;
  /** The requests received for one action. */
  requests(action: string): any[];
  close(): Promise<void>;
}

export async function connectStrictStation(
  server: TestServer,
  id: string,
  options: { protocol?: StrictProtocol; answers?: Record<string, Answer> } = {},
): Promise<StrictStation> {
  const protocol = options.protocol ?? 'ocpp2.0.1';
  const client = new rpc.RPCClient({
    endpoint: server.wsUrl,
    identity: id,
    protocols: [protocol],
    strictMode: true,
    ...(protocol === 'ocpp2.1' ? { strictModeValidators: [strictValidator21()] } : {}),
    reconnect: false,
  });
  const failures: unknown[] = [];
  const received: { method: string; params: any }[] = [];
  const answers: Record<string, Answer> = { ...(options.answers ?? {}) };
  client.on('strictValidationFailure', (failure: unknown) => failures.push(failure));
  client.handle(({ method, params }) => {
    received.push({ method, params });
    const answer = answers[method];
    if (answer === undefined) throw rpc.createRPCError('NotImplemented', `the test station has no answer for ${method}`);
    return typeof answer === 'function' ? answer(params) : answer;
  });
  await client.connect();
  if (client.protocol !== protocol) throw new Error(`negotiated ${String(client.protocol)}, expected ${protocol}`);
  return {
    id,
    client,
    failures,
    received,
    answers,
    call: (action, payload) => client.call(action, payload),
    requests: (action) => received.filter((r) => r.method === action).map((r) => r.params),
    async close() {
      await client.close({ force: true });
    },
  };
}

export const BOOT_201 = {
  reason: 'PowerUp',
  chargingStation: { vendorName: 'Joule', model: 'TestStation2', serialNumber: 'SN-201', firmwareVersion: '2.0.1-test', modem: { iccid: '8931000000000000001', imsi: '204080000000001' } },
};

/** Connects a strict 2.x station and boots it; fails unless it is Accepted. */
export async function bootedStrictStation(
  server: TestServer,
  id: string,
  options: { protocol?: OcppProtocol2; answers?: Record<string, Answer> } = {},
): Promise<StrictStation> {
  const station = await connectStrictStation(server, id, options);
  const boot = await station.call('BootNotification', BOOT_201);
  if (boot.status !== 'Accepted') throw new Error(`boot answered ${boot.status}`);
  return station;
}

/** Connects a bare 2.x station (exact frames) and boots it; fails unless it is Accepted. */
export async function bootedRawStation2(url: string, id: string, protocol: OcppProtocol2 = 'ocpp2.0.1'): Promise<RawStation> {
  const st = await RawStation.connect(url, id, protocol);
  if (st.protocol !== protocol) throw new Error(`negotiated ${st.protocol}, expected ${protocol}`);
  const boot = await st.ok('BootNotification', BOOT_201);
  if (boot.status !== 'Accepted') throw new Error(`boot answered ${boot.status}`);
  return st;
}

/** The error code of an ocpp-rpc call that was answered with a CALLERROR (undefined if it succeeded). */
export async function callErrorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { rpcErrorCode?: string }).rpcErrorCode ?? `not an RPC error: ${String(err)}`;
  }
}

/** A TransactionEvent request; `meter` adds one meter value with the given sampled values at `timestamp`. */
export function transactionEvent(input: {
  eventType: 'Started' | 'Updated' | 'Ended';
  transactionId: string;
  seqNo: number;
  timestamp: string;
  triggerReason?: string;
  evse?: { id: number; connectorId?: number };
  idToken?: { idToken: string; type: string };
  chargingState?: string;
  stoppedReason?: string;
  remoteStartId?: number;
  offline?: boolean;
  meter?: Record<string, unknown>[];
}): Record<string, unknown> {
  const transactionInfo: Record<string, unknown> = { transactionId: input.transactionId };
  if (input.chargingState) transactionInfo.chargingState = input.chargingState;
  if (input.stoppedReason) transactionInfo.stoppedReason = input.stoppedReason;
  if (input.remoteStartId !== undefined) transactionInfo.remoteStartId = input.remoteStartId;
  const event: Record<string, unknown> = {
    eventType: input.eventType,
    timestamp: input.timestamp,
    triggerReason: input.triggerReason ?? (input.eventType === 'Started' ? 'Authorized' : input.eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic'),
    seqNo: input.seqNo,
    transactionInfo,
  };
  if (input.offline !== undefined) event.offline = input.offline;
  if (input.evse) event.evse = input.evse;
  if (input.idToken) event.idToken = input.idToken;
  if (input.meter) event.meterValue = [{ timestamp: input.timestamp, sampledValue: input.meter }];
  return event;
}

/**
 * The station's stored device model: from GET /api/v1/stations/{id}/device-model when the API has that route, else
 * straight from the domain service (the route is being added; see the report of this test suite).
 */
export async function storedDeviceModel(server: TestServer, stationId: string): Promise<{ source: 'api' | 'domain'; variables: any[] }> {
  const res = await server.api('GET', `/api/v1/stations/${encodeURIComponent(stationId)}/device-model?limit=1000`);
  if (res.status === 200) {
    const body = res.body as unknown;
    const variables = Array.isArray(body) ? body : (body as { variables?: unknown[]; items?: unknown[] }).variables ?? (body as { items?: unknown[] }).items;
    if (!Array.isArray(variables)) throw new Error(`unexpected device-model body: ${JSON.stringify(body).slice(0, 200)}`);
    return { source: 'api', variables };
  }
  const routeMissing = res.status === 404 && /Route .* not found/i.test(JSON.stringify(res.body));
  if (!routeMissing) throw new Error(`GET device-model answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { source: 'domain', variables: await server.domain.deviceModel.list(stationId, {}) };
}

/** One stored device-model attribute, by component/variable (and optionally instance/EVSE/attribute type). */
export function findVariable(
  variables: any[],
  component: string,
  variable: string,
  extra: { componentInstance?: string | null; evseId?: number | null; variableInstance?: string | null; attributeType?: string } = {},
): any {
  return variables.find((v) =>
    v.component === component && v.variable === variable &&
    (extra.componentInstance === undefined || v.componentInstance === extra.componentInstance) &&
    (extra.evseId === undefined || v.evseId === extra.evseId) &&
    (extra.variableInstance === undefined || v.variableInstance === extra.variableInstance) &&
    (v.attributeType ?? 'Actual') === (extra.attributeType ?? 'Actual'));
}
