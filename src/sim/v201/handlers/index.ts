import { AUTHORIZATION_HANDLERS } from './authorization.ts';
import { AVAILABILITY_HANDLERS } from './availability.ts';
import { DIAGNOSTICS_HANDLERS } from './diagnostics.ts';
import { DISPLAY_HANDLERS } from './display.ts';
import { FIRMWARE_HANDLERS } from './firmware.ts';
import { PROVISIONING_HANDLERS } from './provisioning.ts';
import { RESERVATION_HANDLERS } from './reservation.ts';
import { SECURITY_HANDLERS } from './security.ts';
import { SMART_CHARGING_HANDLERS } from './smart-charging.ts';
import { TRANSACTION_HANDLERS } from './transactions.ts';
import { TRIGGER_HANDLERS } from './trigger.ts';
import type { CsmsRequestHandler } from './types.ts';

/**
 * Every CSMS-to-station action a simulated 2.0.1 station answers, by action name. The rest of the 2.0.1 actions
 * (PublishFirmware and UnpublishFirmware, for local controllers) get NotSupported; unknown actions NotImplemented.
 */
export const CSMS_REQUEST_HANDLERS: ReadonlyMap<string, CsmsRequestHandler> = new Map(
  Object.entries({
    ...SECURITY_HANDLERS,
    ...PROVISIONING_HANDLERS,
    ...AUTHORIZATION_HANDLERS,
    ...TRANSACTION_HANDLERS,
    ...TRIGGER_HANDLERS,
    ...AVAILABILITY_HANDLERS,
    ...RESERVATION_HANDLERS,
    ...SMART_CHARGING_HANDLERS,
    ...FIRMWARE_HANDLERS,
    ...DIAGNOSTICS_HANDLERS,
    ...DISPLAY_HANDLERS,
  }),
);
