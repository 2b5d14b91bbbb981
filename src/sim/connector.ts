import { ChargingSession } from './charging-session.ts';
import type { ChargePointErrorCode, ChargePointStatus, SampledValue, StopReason } from './ocpp16-types.ts';
import type { Outlet } from './outlet.ts';

/** A 1.6 charging session: the CSMS's integer transaction id, 1.6 stop reasons, and its Transaction.Begin values. */
export class ConnectorSession extends ChargingSession<number, StopReason> {
  /** Transaction.Begin values for StopTransaction's transactionData. */
  beginValues: SampledValue[] = [];
}

/** A reservation held by a connector until it is used, cancelled or expires. */
export interface Reservation {
  id: number;
  idTag: string;
  parentIdTag: string | undefined;
  /** Ends the reservation at its expiryDate. */
  timer: NodeJS.Timeout;
}

/** The state of one connector (1..N) of a simulated 1.6 station. */
export interface Connector extends Outlet {
  /** Set while the connector is faulted. */
  fault: ChargePointErrorCode | undefined;
  session: ConnectorSession | undefined;
  reservation: Reservation | undefined;
  /** The last status sent (or decided while not yet allowed to send). */
  reportedStatus: ChargePointStatus | undefined;
}

export function newConnector(id: number): Connector {
  return {
    id,
    operative: true,
    scheduledOperative: undefined,
    fault: undefined,
    energyWh: 0,
    session: undefined,
    reservation: undefined,
    reportedStatus: undefined,
  };
}

/** The 1.6 status that follows from a connector's state. */
export function connectorStatus(connector: Connector): ChargePointStatus {
  if (connector.fault) return 'Faulted';
  const session = connector.session;
  if (session) {
    switch (session.phase) {
      case 'preparing':
        return 'Preparing';
      case 'charging':
      case 'stopping':
        if (session.powerW > 0) return 'Charging';
        return session.offeredW > 0 ? 'SuspendedEV' : 'SuspendedEVSE';
      case 'finishing':
        return 'Finishing';
    }
  }
  if (!connector.operative) return 'Unavailable';
  if (connector.reservation) return 'Reserved';
  return 'Available';
}
