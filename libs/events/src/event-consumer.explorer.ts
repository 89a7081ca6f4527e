import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { Module } from '@nestjs/core/injector/module';
import type { EventHandler, EventHandlers } from './event-dispatcher';
import type { EventName } from './events';
import { eventNamesOf, outsideTransaction, runsOutsideTransaction } from './on-event.decorator';
import { EVENTS_MODULE_OPTIONS, type ResolvedEventsModuleOptions } from './events.options';

/**
 * Finds the `@OnEvent` methods of one service. The service is the module that imported this
 * EventsModule instance, with everything it imports in turn; in embedded mode the other
 * services' consumers live in the same Nest container and must not be picked up here.
 */
@Injectable()
export class EventConsumerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
    @Inject(EVENTS_MODULE_OPTIONS) private readonly options: ResolvedEventsModuleOptions,
  ) {}

  explore(): EventHandlers {
    const handlers: Partial<Record<EventName, EventHandler[]>> = {};
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders({}, this.serviceModules())) {
      const instance: unknown = wrapper.instance;
      if (
        !wrapper.isDependencyTreeStatic() ||
        typeof instance !== 'object' ||
        instance === null ||
        seen.has(instance)
      )
        continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[methodName];
        for (const name of eventNamesOf(method)) {
          const bound = (method as EventHandler).bind(instance) as EventHandler;
          const handler = runsOutsideTransaction(method) ? outsideTransaction(bound) : bound;
          handlers[name] = [...(handlers[name] ?? []), handler];
        }
      }
    }
    return handlers as EventHandlers;
  }

  private serviceModules(): Module[] {
    const all = [...this.modules.values()];
    const own = all.find((m) => m.providers.get(EVENTS_MODULE_OPTIONS)?.instance === this.options);
    if (!own) throw new Error('EventsModule could not find itself in the Nest container');
    // Global modules are linked into every module, so they belong to no service in particular.
    const outside = (m: Module) => m.isGlobal || m.providers.has(EVENTS_MODULE_OPTIONS);
    const found = new Set<Module>();
    const visit = (m: Module) => {
      if (found.has(m) || outside(m)) return;
      found.add(m);
      m.imports.forEach(visit);
    };
    all.filter((m) => m.imports.has(own)).forEach(visit);
    return [...found];
  }
}
