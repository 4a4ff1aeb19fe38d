// Builds the front end into wwwroot/lib from installed npm packages: the council stylesheet
// (GOV.UK Frontend compiled with Arial and no GOV.UK branding), GOV.UK Frontend's JavaScript
// and images, and Mermaid for workflow diagrams.
import * as sass from 'sass';
import { cpSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'wwwroot', 'lib');
const modules = join(root, 'node_modules');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'govuk'), { recursive: true });

const css = sass.compile(join(root, 'frontend', 'council.scss'), {
  importers: [new sass.NodePackageImporter()],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
});
writeFileSync(join(out, 'council.css'), css.css);

const govuk = join(modules, 'govuk-frontend', 'dist', 'govuk');
cpSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'govuk', 'govuk-frontend.min.js'));
mkdirSync(join(out, 'mermaid'), { recursive: true });
cpSync(join(modules, 'mermaid', 'dist', 'mermaid.min.js'), join(out, 'mermaid', 'mermaid.min.js'));
console.log('front end built into wwwroot/lib');
