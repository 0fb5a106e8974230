/**
 * What makes a subscriber enter a sequence (issue 17), as the config's `automations:` gives it: a confirmation (a
 * sign-up confirmed, or a subscriber added as active), or a tag given while subscribed.
 */
export type Trigger = { kind: 'confirmed' } | { kind: 'tag-added'; tag: string };
