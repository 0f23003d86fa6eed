import { render } from 'preact';
import { App } from './app.js';
import { interceptLinks } from './router.js';

interceptLinks();
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
