// Every dialog the engine holds, found by its §12 key (matching in-dialog
// requests and responses) or by its drachtio id (requests from apps).
import type { Dialog } from './dialog.js';
import { DialogState, dialogKey } from './dialog.js';

export class DialogTable<Owner> {
  private readonly byKey = new Map<string, Dialog<Owner>>();
  private readonly byId = new Map<string, Dialog<Owner>>();
  /** Only for forked INVITEs: every dialog sharing one drachtio id. */
  private readonly forks = new Map<string, Set<Dialog<Owner>>>();
  /** Called whenever the number of dialogs changes (metrics). */
  onSizeChange: ((size: number) => void) | undefined;

  get size(): number {
    return this.byKey.size;
  }

  add(dialog: Dialog<Owner>): void {
    this.byKey.set(dialog.key, dialog);
    // Forked early dialogs share a drachtio id; the latest one is what the app addresses.
    const previous = this.byId.get(dialog.id);
    if (previous !== undefined && previous !== dialog) {
      const set = this.forks.get(dialog.id) ?? new Set([previous]);
      set.add(dialog);
      this.forks.set(dialog.id, set);
    }
    this.byId.set(dialog.id, dialog);
    this.onSizeChange?.(this.byKey.size);
  }

  find(callId: string, localTag: string, remoteTag: string): Dialog<Owner> | undefined {
    return this.byKey.get(dialogKey(callId, localTag, remoteTag));
  }

  findById(id: string): Dialog<Owner> | undefined {
    return this.byId.get(id);
  }

  /** Point the drachtio id at this dialog (the forked branch that answered 2xx). */
  promote(dialog: Dialog<Owner>): void {
    this.byId.set(dialog.id, dialog);
  }

  remove(dialog: Dialog<Owner>): void {
    dialog.state = DialogState.Terminated;
    if (this.byKey.get(dialog.key) === dialog) this.byKey.delete(dialog.key);
    const forks = this.forks.get(dialog.id);
    forks?.delete(dialog);
    if (this.byId.get(dialog.id) === dialog) {
      this.byId.delete(dialog.id);
      // Another early dialog of the same fork may still be alive under this id.
      const other = forks?.values().next().value;
      if (other !== undefined) this.byId.set(other.id, other);
    }
    if (forks !== undefined && forks.size <= 1) this.forks.delete(dialog.id);
    this.onSizeChange?.(this.byKey.size);
  }

  /** Every dialog with that drachtio id (the early dialogs of one forked INVITE). */
  allWithId(id: string): Dialog<Owner>[] {
    const forks = this.forks.get(id);
    if (forks !== undefined) return [...forks];
    const only = this.byId.get(id);
    return only === undefined ? [] : [only];
  }

  ownedBy(owner: Owner): Dialog<Owner>[] {
    const found: Dialog<Owner>[] = [];
    for (const dialog of this.byKey.values()) if (dialog.owner === owner) found.push(dialog);
    return found;
  }
}
