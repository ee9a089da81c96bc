// In-memory object storage with one resourceVersion counter and an event history, like etcd
// behind the API server. Watches replay the history after a resourceVersion and then follow
// live events.

import { randomUUID } from 'node:crypto';
import type { ResourceInfo } from './resources';
import { apiVersionOf } from './resources';
import { clone, type KubeObject } from './types';

export interface StoredEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
}

export class Store {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoredEvent[] = [];
  private readonly listeners = new Set<(event: StoredEvent) => void>();
  private rv = 1000;
  /** Events at or below this resourceVersion were compacted away: watches from there get 410. */
  private compactedThrough = 0;

  get resourceVersion(): string {
    return String(this.rv);
  }

  private key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}|${namespace ?? ''}|${name}`;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const [key, object] of this.objects) {
      const [r, ns] = key.split('|');
      if (r === resource && (namespace === undefined || ns === namespace)) out.push(clone(object));
    }
    return out.sort((a, b) => Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion));
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(this.key(resource, namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Stores a new object, filling in what the API server fills in (uid, timestamps, rv). */
  create(info: ResourceInfo, object: KubeObject, now: Date): KubeObject {
    const stored = clone(object);
    stored.apiVersion = apiVersionOf(info);
    stored.kind = info.kind;
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      creationTimestamp: stored.metadata?.creationTimestamp ?? now.toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    return this.write(info.plural, stored, 'ADDED');
  }

  update(
    resource: string,
    namespace: string | undefined,
    name: string,
    change: (o: KubeObject) => void,
  ): KubeObject | undefined {
    const current = this.objects.get(this.key(resource, namespace, name));
    if (!current) return undefined;
    const next = clone(current);
    change(next);
    return this.write(resource, next, 'MODIFIED');
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = this.key(resource, namespace, name);
    const current = this.objects.get(key);
    if (!current) return undefined;
    this.objects.delete(key);
    const gone = clone(current);
    gone.metadata = { ...gone.metadata, resourceVersion: String(++this.rv) };
    this.emit({ rv: this.rv, type: 'DELETED', resource, object: gone });
    return clone(gone);
  }

  private write(resource: string, object: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    object.metadata = { ...object.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(this.key(resource, object.metadata.namespace, object.metadata.name ?? ''), object);
    this.emit({ rv: this.rv, type, resource, object: clone(object) });
    return clone(object);
  }

  private emit(event: StoredEvent): void {
    this.history.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Events after `rv`, or undefined when they were compacted (the caller answers 410 Gone). */
  eventsAfter(rv: number): StoredEvent[] | undefined {
    if (rv < this.compactedThrough) return undefined;
    return this.history.filter((e) => e.rv > rv).map((e) => ({ ...e, object: clone(e.object) }));
  }

  /** Forgets history, so watches from older resourceVersions get "410 Gone" as after etcd compaction. */
  compact(): void {
    this.compactedThrough = this.rv;
    this.history.length = 0;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
