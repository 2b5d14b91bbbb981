import type { Domain } from '../../domain/domain.ts';
import type { SessionState } from '../adapter.ts';
import type { Payload } from '../rpc/frames.ts';
import { COMMAND_ACTIONS_201, COMMAND_ACTIONS_21_ADDED } from '../v201/command-rules.ts';
import { Ocpp201Adapter } from '../v201/adapter.ts';

/** 2.1 station notifications that map onto capabilities Joule has: logged and streamed as station notifications. */
const LOGGED_21: Readonly<Record<string, string>> = {
  // K Smart charging: the station reports priority charging started/stopped by the driver.
  NotifyPriorityCharging: 'charging.priority',
  // R DER control (a site that needs it reads these from the notification stream).
  NotifyDERAlarm: 'der.alarm',
  NotifyDERStartStop: 'der.start-stop',
  ReportDERControl: 'der.report',
  // C Ad-hoc payment: a payment terminal settled a session.
  NotifySettlement: 'payment.settlement',
  // N Periodic event streams (the data itself arrives as SEND NotifyPeriodicEventStream).
  ClosePeriodicEventStream: 'monitoring.stream-closed',
};

/**
 * OCPP 2.1: everything of 2.0.1 (its schemas are 2.0.1 plus optional fields), the new station messages that map onto
 * Joule's capabilities, SEND (NotifyPeriodicEventStream), and the new CSMS-to-station requests. The new messages
 * without a capability behind them (VatNumberValidation, BatterySwap, GetCertificateChainStatus until a PKI is
 * configured) are answered NotSupported by the gateway because no handler is registered for them.
 */
export class Ocpp21Adapter extends Ocpp201Adapter {
  constructor(domain: Domain) {
    super(domain, 'ocpp2.1', new Set([...COMMAND_ACTIONS_201, ...COMMAND_ACTIONS_21_ADDED]));
    for (const [action, type] of Object.entries(LOGGED_21)) {
      this.handlers.set(action, async (s, p) => {
        await this.domain.notifications.record(s.stationId, type, p);
        return {};
      });
    }
    this.handlers.set('OpenPeriodicEventStream', async (s, p) => {
      await this.domain.notifications.record(s.stationId, 'monitoring.stream-opened', p);
      return { status: 'Accepted' };
    });
    // K: no dynamic schedule is kept for the station, so there is no update to pull.
    this.handlers.set('PullDynamicScheduleUpdate', async (s, p) => {
      await this.domain.notifications.record(s.stationId, 'charging.dynamic-update-requested', p);
      return { status: 'Rejected', statusInfo: { reasonCode: 'NoDynamicSchedule', additionalInfo: 'no dynamic charging schedule is active for this profile' } };
    });
  }

  /**
   * SEND frames: NotifyPeriodicEventStream data points, kept in the notification log. A station that is not Accepted
   * may send nothing but BootNotification (B02.FR.09, B03.FR.07); a SEND cannot be answered SecurityError, so it is dropped.
   */
  async handleSend(session: SessionState, action: string, payload: Payload): Promise<void> {
    if (action !== 'NotifyPeriodicEventStream' || session.registration !== 'Accepted') return;
    this.domain.stations.seen(session.stationId);
    await this.domain.notifications.record(session.stationId, 'monitoring.stream-data', payload);
  }
}
