/** Every check, in the order they run. */
import type { Check } from './context';
import { MEANING_CHECKS } from './meaning';

export const CHECKS: readonly Check[] = [...MEANING_CHECKS];
