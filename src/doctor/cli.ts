import dotenv from 'dotenv';
import { formatChecklist } from './checklist.js';
import { runDoctor } from './run-doctor.js';

// `npm run doctor`: the same environment as `npm start` (.env, then the process environment wins).
dotenv.config({ quiet: true });
const report = await runDoctor(process.env);
process.stdout.write(formatChecklist(report.heading, report.results));
process.exitCode = report.exitCode;
