import { createContext } from 'preact';
import type { Caller } from './session.js';

export const CallerContext = createContext<Caller | undefined>(undefined);
