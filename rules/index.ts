/** The rule pack, sorted by id. Ids are stable: never renamed or reused (GitHub matches alerts by them). */
import type { Rule } from '../src/rule-api.js';
import { rule as ACR001 } from './ACR001.js';
import { rule as ACR002 } from './ACR002.js';
import { rule as ACR003 } from './ACR003.js';
import { rule as ACR004 } from './ACR004.js';
import { rule as KV001 } from './KV001.js';
import { rule as KV002 } from './KV002.js';
import { rule as KV003 } from './KV003.js';
import { rule as TPL001 } from './TPL001.js';
import { rule as TPL002 } from './TPL002.js';
import { rule as TPL003 } from './TPL003.js';
import { rule as TPL004 } from './TPL004.js';

export const rules: readonly Rule[] = [TPL001, TPL002, TPL003, TPL004, ACR001, ACR002, ACR003, ACR004, KV001, KV002, KV003];
