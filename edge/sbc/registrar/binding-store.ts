// Where a phone can be reached: the registrar's bindings, behind an interface so a
// shared store (Redis, for redundant POP pairs) can replace the in-memory one.

export interface PhoneBinding {
  /** Digest user name of the phone, which binds it to the agent. */
  username: string;
  /** The Contact URI the phone registered. */
  contact: string;
  /** Source the REGISTER came from. */
  sourceAddress: string;
  sourcePort: number;
  transport: string;
  /** Epoch ms when the binding lapses. */
  expiresAt: number;
}

export interface BindingStore {
  put(binding: PhoneBinding): Promise<void>;
  /** The live binding of a user, if any. */
  get(username: string, now: number): Promise<PhoneBinding | undefined>;
  remove(username: string): Promise<void>;
  /** Live bindings. */
  count(now: number): Promise<number>;
}

/** One binding per user (the latest REGISTER wins): an agent has one phone at a time. */
export class InMemoryBindingStore implements BindingStore {
  private readonly bindings = new Map<string, PhoneBinding>();

  put(binding: PhoneBinding): Promise<void> {
    this.bindings.set(binding.username, binding);
    return Promise.resolve();
  }

  get(username: string, now: number): Promise<PhoneBinding | undefined> {
    const binding = this.bindings.get(username);
    if (binding !== undefined && binding.expiresAt <= now) {
      this.bindings.delete(username);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(binding);
  }

  remove(username: string): Promise<void> {
    this.bindings.delete(username);
    return Promise.resolve();
  }

  count(now: number): Promise<number> {
    for (const [username, binding] of this.bindings) if (binding.expiresAt <= now) this.bindings.delete(username);
    return Promise.resolve(this.bindings.size);
  }
}
