// Linted as if it were client/src/{mesh,call,signaling}/*.ts: the call core is framework-free.
import { useState } from 'react';

export const hook = useState;
