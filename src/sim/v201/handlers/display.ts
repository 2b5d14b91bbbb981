import type { Payload } from '../../../ocpp/rpc/frames.ts';
import { statusInfo } from '../types.ts';
import { handler, type CsmsRequestHandler } from './types.ts';

interface MessageInfo {
  id: number;
  priority: string;
  state?: string;
  transactionId?: string;
  message: { format: string; language?: string; content: string };
  [field: string]: unknown;
}

/** O01/O02: stored (replacing one with the same id) if the format and priority are supported and there is room. */
const setDisplayMessage = handler<{ message: MessageInfo }>((station, { message }) => {
  const model = station.deviceModel;
  if (!model.bool('DisplayMessageCtrlr.Enabled')) return { status: 'Rejected', statusInfo: statusInfo('Disabled') };
  if (!model.list('DisplayMessageCtrlr.SupportedFormats').includes(message.message.format)) return { status: 'NotSupportedMessageFormat' };
  if (!model.list('DisplayMessageCtrlr.SupportedPriorities').includes(message.priority)) return { status: 'NotSupportedPriority' };
  if (message.transactionId !== undefined && !station.findTransaction(message.transactionId)) return { status: 'UnknownTransaction' };
  const full = station.displayMessages.size >= model.maxLimit('DisplayMessageCtrlr.DisplayMessages');
  if (!station.displayMessages.has(message.id) && full) return { status: 'Rejected', statusInfo: statusInfo('NoCapacity') };
  station.displayMessages.set(message.id, { ...message });
  return { status: 'Accepted' };
});

/** O03/O04: Unknown when nothing matches, else Accepted and NotifyDisplayMessages (tbc when split). */
const getDisplayMessages = handler<{ requestId: number; id?: number[]; priority?: string; state?: string }>((station, request, after) => {
  const found = [...station.displayMessages.values()].filter(
    (m) =>
      (request.id === undefined || request.id.includes(Number(m.id))) &&
      (request.priority === undefined || m.priority === request.priority) &&
      (request.state === undefined || m.state === request.state),
  );
  if (found.length === 0) return { status: 'Unknown' };
  after(() => void station.sendInParts('NotifyDisplayMessages', found, 10, (part): Payload => ({ requestId: request.requestId, messageInfo: part })));
  return { status: 'Accepted' };
});

/** O05. */
const clearDisplayMessage = handler<{ id: number }>((station, { id }) => ({ status: station.displayMessages.delete(id) ? 'Accepted' : 'Unknown' }));

/** O DisplayMessage. */
export const DISPLAY_HANDLERS: Record<string, CsmsRequestHandler> = {
  SetDisplayMessage: setDisplayMessage,
  GetDisplayMessages: getDisplayMessages,
  ClearDisplayMessage: clearDisplayMessage,
};
