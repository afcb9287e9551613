/**
 * What each user action or fault does to the world. Requests a node may refuse (a transfer
 * asked of a follower, a membership change while another is pending) are made like a user
 * would make them and their refusals are part of the run.
 */
import type { SimAction } from './actions.ts';
import type { SimNode } from './sim-node.ts';
import type { Simulation } from './simulation.ts';

export interface ActionHooks {
  note(text: string): void;
  request(action: Extract<SimAction, { type: 'request' }>): void;
  setRate(node: SimNode, tickMs: number): void;
}

const ignore = (): void => undefined;

export function performAction(sim: Simulation, action: SimAction, hooks: ActionHooks): void {
  const { note } = hooks;
  switch (action.type) {
    case 'crash': {
      const node = sim.node(action.node);
      if (node.state === 'down') return;
      const pending = node.store.pendingCount;
      let survivors = 0;
      const rate = sim.options.crashSurvivalRate ?? 0.3;
      while (survivors < pending && sim.random.chance(rate)) survivors++;
      node.crash(action.survivors ?? survivors);
      note(`crash ${node.id} (${pending} unacknowledged writes, ${action.survivors ?? survivors} survive)`);
      return;
    }
    case 'wipe': {
      const node = sim.node(action.node);
      node.crash(0);
      node.wipe();
      note(`wipe ${node.id}: its disk comes back empty`);
      return;
    }
    case 'restart': {
      const node = sim.node(action.node);
      if (node.state !== 'down' || node.left) return;
      node.start();
      note(`restart ${node.id}${node.store.durable.written ? '' : ' on an empty disk'}`);
      return;
    }
    case 'partition':
      sim.network.partition(action.groups, sim.nodeIds());
      note(`partition ${action.groups.map((g) => g.join(' ')).join(' | ')}`);
      return;
    case 'link':
      sim.network.setLink(action.from, action.to, action.up);
      note(`link ${action.from}→${action.to} ${action.up ? 'up' : 'cut'}`);
      return;
    case 'slowLink':
      sim.network.setLinkDelay(action.from, action.to, action.extraMs);
      note(`link ${action.from}→${action.to} +${action.extraMs.toFixed(0)} ms`);
      return;
    case 'heal':
      sim.network.heal();
      note('heal');
      return;
    case 'network':
      sim.network.conditions = { ...sim.network.conditions, ...action.conditions };
      note(`network ${JSON.stringify(action.conditions)}`);
      return;
    case 'dropPacket':
      if (sim.network.drop(action.packet)) note(`drop packet ${action.packet}`);
      return;
    case 'campaign':
      sim.node(action.node).raft?.campaign();
      note(`campaign ${action.node}`);
      return;
    case 'transfer':
      sim.node(action.node).raft?.transferLeadership(action.to, { timeoutMs: 1000 }).catch(ignore);
      note(`transfer ${action.node} → ${action.to}`);
      return;
    case 'confChange': {
      const raft = sim.node(action.node).raft;
      const what = action.change.changes.map((c) => `${c.type} ${c.id}`).join(', ') || 'leave joint';
      note(`conf change via ${action.node}: ${what}`);
      raft?.reconfigure(action.change, { timeoutMs: 2000 }).catch((error: Error) => note(`conf change ${what} via ${action.node}: ${error.name}`));
      return;
    }
    case 'join': {
      const node = sim.node(action.node);
      note(`${node.id} asks to join via ${action.via.join(' ')}${action.learner ? ' as a learner' : ''}`);
      node.raft?.join({ via: action.via, timeoutMs: 3000, ...(action.learner ? { learner: true } : {}) }).catch((error: Error) => note(`join of ${node.id}: ${error.name}`));
      return;
    }
    case 'leave': {
      const node = sim.node(action.node);
      const raft = node.raft;
      if (raft === undefined) return;
      note(`${node.id} asks to leave`);
      raft.leave({ timeoutMs: 3000 }).then(
        () => node.markLeft(),
        (error: Error) => note(`leave of ${node.id}: ${error.name}`),
      );
      return;
    }
    case 'snapshot':
      sim.node(action.node).raft?.takeSnapshot();
      note(`snapshot ${action.node}`);
      return;
    case 'clock':
      hooks.setRate(sim.node(action.node), action.tickMs);
      return;
    case 'disk': {
      const store = sim.node(action.node).store;
      if (action.speed !== undefined) store.speed = action.speed;
      if (action.failWrites !== undefined) store.failWrites = action.failWrites;
      note(`disk of ${action.node}: ${action.speed ?? ''}${action.failWrites ? ` next ${action.failWrites} writes fail` : ''}`);
      return;
    }
    case 'request':
      hooks.request(action);
      return;
  }
}
