/** The JSON every endpoint receives; `data` is the event's payload. */
export function webhookBody(event: {
  id: string;
  type: string;
  createdAt: string;
  payload: unknown;
}): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.payload });
}
