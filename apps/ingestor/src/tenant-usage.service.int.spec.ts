import { randomUUID } from 'node:crypto';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import { InMemoryEventStore } from '@aidwatch/event-store';
import { createLogger } from '@aidwatch/observability';
import { TenantUsageService } from './tenant-usage.service';

/*
 * After a start the service folds what each organisation holds from the store again; `whenCounted` says
 * when that is whole, and at that moment the counts include everything the store held when it started.
 */
describe('TenantUsageService', () => {
  const logger = createLogger({ level: 'silent' });

  it('says its counts are whole only once it has folded every event the store held', async () => {
    const store = new InMemoryEventStore();
    const event = (data: unknown) => ({
      id: randomUUID(),
      type: (data as { type: string }).type,
      data,
    });
    await store.append('exemption-EX-W', [
      event(exemptionGranted({ id: 'g', data: { exemptionId: 'EX-W', implementingOrg: 'WFP' } })),
    ]);
    const HELD = 3000;
    await store.appendMany(
      Array.from({ length: HELD }, (_, i) => ({
        streamId: `consignment-C-${i}`,
        events: [
          event(
            consignmentRegistered({
              id: `r-${i}`,
              subject: `C-${i}`,
              data: { consignmentId: `C-${i}`, exemptionId: 'EX-W' },
            }),
          ),
        ],
      })),
    );
    const service = new TenantUsageService(store, logger);
    expect(await service.whenCounted(20)).toBe(false);
    service.onApplicationBootstrap();
    try {
      // Checked the moment it says so: nothing the store held is missing.
      const seen: number[] = [];
      const whole = service.whenCounted(10_000).then((ok) => {
        seen.push(service.eventsOf('WFP'));
        return ok;
      });
      expect(await whole).toBe(true);
      expect(seen).toEqual([HELD]);
      expect(await service.whenCounted(0)).toBe(true);
    } finally {
      await service.onModuleDestroy();
    }
  });

  it('with an empty store its counts are whole at once', async () => {
    const service = new TenantUsageService(new InMemoryEventStore(), logger);
    service.onApplicationBootstrap();
    try {
      expect(await service.whenCounted(5000)).toBe(true);
      expect(service.eventsOf('WFP')).toBe(0);
    } finally {
      await service.onModuleDestroy();
    }
  });
});
