// Linted as if it were protocol/src/*.ts: the protocol depends on zod alone.
import { z } from 'zod';
import express from 'express';

export const schema = z.string();
export const app = express;
