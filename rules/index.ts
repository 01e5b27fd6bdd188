/** The rule pack, sorted by id. Ids are stable: never renamed or reused (GitHub matches alerts by them). */
import type { Rule } from '../src/rule-api.js';
import { rule as ACR001 } from './ACR001.js';
import { rule as ACR002 } from './ACR002.js';
import { rule as ACR003 } from './ACR003.js';
import { rule as ACR004 } from './ACR004.js';
import { rule as ACR005 } from './ACR005.js';
import { rule as ACR006 } from './ACR006.js';
import { rule as ACR007 } from './ACR007.js';
import { rule as ACR008 } from './ACR008.js';
import { rule as ACR009 } from './ACR009.js';
import { rule as ACR010 } from './ACR010.js';
import { rule as ACR011 } from './ACR011.js';
import { rule as ACR012 } from './ACR012.js';
import { rule as ACR013 } from './ACR013.js';
import { rule as KV001 } from './KV001.js';
import { rule as KV002 } from './KV002.js';
import { rule as KV003 } from './KV003.js';
import { rule as KV004 } from './KV004.js';
import { rule as KV005 } from './KV005.js';
import { rule as KV006 } from './KV006.js';
import { rule as KV007 } from './KV007.js';
import { rule as SCH001 } from './SCH001.js';
import { rule as TPL001 } from './TPL001.js';
import { rule as TPL002 } from './TPL002.js';
import { rule as TPL003 } from './TPL003.js';
import { rule as TPL004 } from './TPL004.js';

export const rules: readonly Rule[] = [
  TPL001, TPL002, TPL003, TPL004, SCH001,
  ACR001, ACR002, ACR003, ACR004, ACR005, ACR006, ACR007, ACR008, ACR009, ACR010, ACR011, ACR012, ACR013,
  KV001, KV002, KV003, KV004, KV005, KV006, KV007,
];
