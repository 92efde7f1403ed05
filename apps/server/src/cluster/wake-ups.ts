/**
 * What the cluster needs of a notification channel (PostgreSQL LISTEN/NOTIFY): to be woken, and
 * to learn that it may have missed wake-ups (after a reconnect), so it looks again.
 */
export interface WakeUps {
  listen(channel: string, handler: (payload: string) => void): () => void;
  onReconnect(handler: () => void): () => void;
}
