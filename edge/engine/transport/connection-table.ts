// Open stream connections, by id (responses go back on the connection the
// request came in on) and by remote transport/address/port (requests to a
// target reuse an open connection, RFC 3261 §18.1.1).
import type { StreamConnection } from './stream-connection.js';

export class ConnectionTable {
  private readonly byId = new Map<string, StreamConnection>();
  private readonly byKey = new Map<string, StreamConnection>();

  add(connection: StreamConnection): void {
    this.byId.set(connection.id, connection);
    // The newest connection to a flow wins; an older one stays reachable by id.
    this.byKey.set(connection.key, connection);
  }

  remove(connection: StreamConnection): void {
    this.byId.delete(connection.id);
    // An older connection to the same flow is not promoted: it stays usable by id, and a
    // new request opens or finds a fresh one. That keeps removal O(1) under churn.
    if (this.byKey.get(connection.key) === connection) this.byKey.delete(connection.key);
  }

  get(id: string): StreamConnection | undefined {
    return this.byId.get(id);
  }

  find(key: string): StreamConnection | undefined {
    return this.byKey.get(key);
  }

  all(): StreamConnection[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
