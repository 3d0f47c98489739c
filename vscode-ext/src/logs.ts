import type { EmkitClient, LogStreamMessage } from '@emkit/shared';
import * as vscode from 'vscode';
import WebSocket from 'ws';

interface Follow {
  channel: vscode.OutputChannel;
  socket: WebSocket | null;
  offset: number;
  ended: boolean;
}

/**
 * One output channel per training, fed live from rank 0's log stream and resumed from the
 * last byte if the connection drops; the stream's `end` (the training settled) closes it.
 */
export class TrainingLogs implements vscode.Disposable {
  private readonly follows = new Map<string, Follow>();

  /** Shows the training's channel, starting to follow its log the first time. */
  show(client: EmkitClient, id: string, name: string): vscode.OutputChannel {
    let follow = this.follows.get(id);
    if (!follow) {
      follow = { channel: vscode.window.createOutputChannel(`emkit: ${name}`), socket: null, offset: 0, ended: false };
      this.follows.set(id, follow);
      this.connect(client, id, follow);
    }
    follow.channel.show(true);
    return follow.channel;
  }

  /** The text received so far, for tests (an output channel can't be read back). */
  text(id: string): string {
    return this.received.get(id) ?? '';
  }

  private readonly received = new Map<string, string>();

  dispose(): void {
    for (const follow of this.follows.values()) {
      follow.ended = true;
      follow.socket?.close();
      follow.channel.dispose();
    }
  }

  private connect(client: EmkitClient, id: string, follow: Follow): void {
    const socket = new WebSocket(client.trainingLogUrl(id, 0, follow.offset), client.socketProtocols());
    follow.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as LogStreamMessage;
      if (message.type === 'chunk') {
        if (message.offset !== follow.offset) return;
        follow.offset = message.nextOffset;
        follow.channel.append(message.text);
        this.received.set(id, (this.received.get(id) ?? '') + message.text);
      } else {
        follow.ended = true;
        socket.close();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (follow.socket === socket) follow.socket = null;
      if (!follow.ended) setTimeout(() => this.connect(client, id, follow), 1000);
    });
  }
}
