// How intake answers a delivery, on Express (the webhook route) or on Node's own response (the fast path):
// the same status, Content-Type and body either way.
import type { ServerResponse } from 'node:http';
import type { Response } from 'express';
import { type Problem, problemBody, sendProblem } from '../http/problem';

export interface Reply {
  json(status: number, body: Readonly<Record<string, unknown>>): void;
  problem(problem: Problem): void;
}

export function expressReply(res: Response): Reply {
  return {
    json: (status, body) => void res.status(status).json(body),
    problem: (problem) => sendProblem(res, problem),
  };
}

export function nodeReply(res: ServerResponse): Reply {
  const send = (status: number, type: string, text: string): void => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  return {
    json: (status, body) => send(status, 'application/json; charset=utf-8', JSON.stringify(body)),
    problem: (problem) =>
      send(problem.status, 'application/problem+json; charset=utf-8', problemBody(problem)),
  };
}
