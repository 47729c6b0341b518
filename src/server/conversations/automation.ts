import type { Action, AutomationRule, Condition, ConversationChannel } from '../../contract/helpdesk.ts';
import { pageMatches } from '../../contract/routing.ts';

/** What a rule can look at: the conversation as it stands, and the message that triggered it (if any). */
export interface RuleContext {
  channel: ConversationChannel;
  group: string;
  startPage: string | null;
  messageText: string | null;
}

function holds(condition: Condition, context: RuleContext): boolean {
  switch (condition.field) {
    case 'channel':
      return context.channel === condition.value;
    case 'group':
      return context.group === condition.value;
    case 'startPage':
      return pageMatches(condition.value, context.startPage);
    case 'messageText': {
      if (context.messageText === null) return false;
      if (condition.op === 'contains') return context.messageText.toLowerCase().includes(condition.value.toLowerCase());
      try {
        return new RegExp(condition.value, 'i').test(context.messageText);
      } catch {
        return false; // a pattern that does not compile matches nothing
      }
    }
  }
}

/**
 * The actions of every rule for this moment whose conditions all hold, in rule order. A `setGroup` earlier in the
 * list changes the group later rules see, as a person reading the rules top to bottom would expect.
 */
export function evaluateRules(rules: readonly AutomationRule[], on: AutomationRule['on'], context: RuleContext): { rule: string; action: Action }[] {
  const result: { rule: string; action: Action }[] = [];
  let current = context;
  for (const rule of rules) {
    if (rule.on !== on || !rule.conditions.every((condition) => holds(condition, current))) continue;
    for (const action of rule.actions) {
      result.push({ rule: rule.id, action });
      if (action.type === 'setGroup') current = { ...current, group: action.group };
    }
  }
  return result;
}
