// The two local servers ./e2e needs beside our service, Node built-ins only:
//  - the sandbox's production build, served as static files (the sandbox is a single-page app);
//  - a small open FHIR R4 server holding one patient (fhir-patient.json), standing in for the public
//    FHIR server the sandbox normally reads (not reachable here). It answers what the sandbox asks:
//    GET metadata, read (Type/id), search GET Type?... and POST Type/_search (how the sandbox fills
//    prefetch), filtering by patient/subject and by token code (system|code, comma = or); other search
//    parameters are ignored, so a search may return more than a real server would, never less.
//    CORS is open, as on the public test servers.
// Usage: node servers.js <sandbox build dir> <sandbox port> <fhir port>
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [buildDir, sandboxPort, fhirPort] = process.argv.slice(2);
if (!buildDir || !sandboxPort || !fhirPort) {
  console.error('usage: node servers.js <sandbox build dir> <sandbox port> <fhir port>');
  process.exit(2);
}

const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
const bundle = JSON.parse(fs.readFileSync(path.join(__dirname, 'fhir-patient.json'), 'utf8')
  .replace(/"DAYS_AGO_(\d+)"/g, (_, n) => JSON.stringify(daysAgo(Number(n)))));
const resources = bundle.entry.map((e) => e.resource);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.map': 'application/json' };

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let file = path.normalize(path.join(buildDir, decodeURIComponent(url.pathname)));
  if (!file.startsWith(path.resolve(buildDir))) { res.writeHead(403).end(); return; }
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(buildDir, 'index.html');
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}).listen(Number(sandboxPort), '127.0.0.1');

const capability = {
  resourceType: 'CapabilityStatement', status: 'active', date: daysAgo(0), kind: 'instance', fhirVersion: '4.0.1',
  format: ['json'],
  rest: [{ mode: 'server', resource: [...new Set(resources.map((r) => r.resourceType)), 'MedicationRequest',
    'MedicationStatement', 'Observation', 'Procedure', 'Medication']
    .map((type) => ({ type, interaction: [{ code: 'read' }, { code: 'search-type' }] })) }],
};

function patientOf(resource) {
  if (resource.resourceType === 'Patient') return resource.id;
  const ref = (resource.subject || resource.patient || {}).reference || '';
  return ref.replace(/^Patient\//, '');
}

function codesOf(resource) {
  const concept = resource.code || resource.medicationCodeableConcept || {};
  return (concept.coding || []).map((c) => [c.system, c.code]);
}

function matches(resource, params) {
  for (const [name, value] of params) {
    if (name === 'patient' || name === 'subject' || name === '_id') {
      const wanted = value.replace(/^Patient\//, '');
      const actual = name === '_id' ? resource.id : patientOf(resource);
      if (actual !== wanted) return false;
    } else if (name === 'code') {
      const any = value.split(',').some((token) => {
        const [system, code] = token.includes('|') ? token.split('|') : [null, token];
        return codesOf(resource).some(([s, c]) => c === code && (!system || s === system));
      });
      if (!any) return false;
    }
  }
  return true;
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Access-Control-Allow-Origin': '*' });
  res.end(JSON.stringify(body));
}

function search(res, type, params) {
  const found = resources.filter((r) => r.resourceType === type && matches(r, params));
  console.log(`fhir: search ${type} -> ${found.length}`);
  send(res, 200, { resourceType: 'Bundle', type: 'searchset', total: found.length,
    entry: found.map((resource) => ({ fullUrl: `${resource.resourceType}/${resource.id}`, resource })) });
}

http.createServer((req, res) => {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Accept, Authorization, Content-Type' });
    res.end();
    return;
  }
  const url = new URL(req.url, 'http://localhost');
  const parts = url.pathname.replace(/^\/fhir\/?/, '').split('/').filter(Boolean);
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    if (parts.length === 1 && parts[0] === 'metadata') { send(res, 200, capability); return; }
    if (parts.length === 1 && req.method === 'GET') { search(res, parts[0], [...url.searchParams]); return; }
    if (parts.length === 2 && parts[1] === '_search' && req.method === 'POST') {
      search(res, parts[0], [...url.searchParams, ...new URLSearchParams(body)]);
      return;
    }
    if (parts.length === 2 && req.method === 'GET') {
      const found = resources.find((r) => r.resourceType === parts[0] && r.id === parts[1]);
      console.log(`fhir: read ${parts[0]} -> ${found ? 'found' : 'not found'}`);
      if (found) send(res, 200, found);
      else send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      return;
    }
    send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported' }] });
  });
}).listen(Number(fhirPort), '127.0.0.1');

console.log(`sandbox on http://127.0.0.1:${sandboxPort}/, FHIR on http://127.0.0.1:${fhirPort}/fhir`);
