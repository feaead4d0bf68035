// Which connected apps asked for which verbs (`route|invite`, `route|cdr:stop`).
// Requests for a verb go round-robin among the apps that routed it, optionally
// restricted to apps that declared a tag when they authenticated.

export interface RoutableApp {
  readonly id: number;
  hasTag(tag: string): boolean;
}

export class RouteTable<App extends RoutableApp> {
  private readonly byVerb = new Map<string, App[]>();
  private readonly nextIndex = new Map<string, number>();

  add(verb: string, app: App): void {
    const key = verb.toLowerCase();
    const apps = this.byVerb.get(key);
    if (!apps) this.byVerb.set(key, [app]);
    else if (!apps.includes(app)) apps.push(app);
  }

  remove(verb: string, app: App): void {
    const key = verb.toLowerCase();
    const apps = this.byVerb.get(key);
    if (!apps) return;
    const index = apps.indexOf(app);
    if (index !== -1) apps.splice(index, 1);
    if (apps.length === 0) {
      this.byVerb.delete(key);
      this.nextIndex.delete(key);
    }
  }

  removeApp(app: App): void {
    for (const verb of [...this.byVerb.keys()]) this.remove(verb, app);
  }

  /** Apps routing the verb, in registration order. */
  appsFor(verb: string): readonly App[] {
    return this.byVerb.get(verb.toLowerCase()) ?? [];
  }

  /** Next app in round-robin order for the verb (and tag, when given), or undefined. */
  select(verb: string, tag?: string): App | undefined {
    const key = verb.toLowerCase();
    const apps = this.byVerb.get(key);
    if (!apps || apps.length === 0) return undefined;
    const start = (this.nextIndex.get(key) ?? 0) % apps.length;
    for (let i = 0; i < apps.length; i++) {
      const index = (start + i) % apps.length;
      const app = apps[index]!;
      if (tag === undefined || app.hasTag(tag)) {
        this.nextIndex.set(key, index + 1);
        return app;
      }
    }
    return undefined;
  }
}
