import { CORE_HANDLERS } from './core.ts';
import { FIRMWARE_HANDLERS } from './firmware.ts';
import { LOCAL_AUTH_HANDLERS } from './local-auth.ts';
import { RESERVATION_HANDLERS } from './reservation.ts';
import { SECURITY_HANDLERS } from './security.ts';
import { SMART_CHARGING_HANDLERS } from './smart-charging.ts';
import { TRIGGER_HANDLERS } from './trigger.ts';
import type { CsHandler } from './types.ts';

/** Every CS-to-CP action a simulated 1.6 station answers, by action name. */
export const CS_HANDLERS: ReadonlyMap<string, CsHandler> = new Map(
  Object.entries({
    ...CORE_HANDLERS,
    ...FIRMWARE_HANDLERS,
    ...LOCAL_AUTH_HANDLERS,
    ...RESERVATION_HANDLERS,
    ...SMART_CHARGING_HANDLERS,
    ...TRIGGER_HANDLERS,
    ...SECURITY_HANDLERS,
  }),
);
