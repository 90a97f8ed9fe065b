import { runStoreContract } from '../contract/store-contract.js';
import { asAsyncStore } from '../contract/async-store.js';
import { SqliteStore } from './sqlite-store.js';

runStoreContract('SqliteStore', async () => asAsyncStore(new SqliteStore({ path: ':memory:' })));
