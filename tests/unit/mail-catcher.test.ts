import { connect } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailCatcher, type MailCatcher } from "../support/mail-catcher";

describe("the tests' mail catcher", () => {
  let catcher: MailCatcher;
  beforeAll(async () => {
    catcher = await startMailCatcher();
  });
  afterAll(async () => {
    await catcher.stop();
  });

  it("outlives a client that resets its connection mid-message (an app server stopped between test phases)", async () => {
    const { port } = new URL(catcher.smtpUrl);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", reject);
      // Greeting, EHLO, then MAIL FROM: smtp-server passes on a reset only once a message is under way.
      const commands = ["EHLO app.test", "MAIL FROM:<billing@nexa.example>"];
      socket.on("data", () => {
        const command = commands.shift();
        if (command) socket.write(`${command}\r\n`);
        else {
          socket.resetAndDestroy();
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 100));

    const transport = nodemailer.createTransport(catcher.smtpUrl);
    await transport.sendMail({ from: "billing@nexa.example", to: "after-reset@example.com", subject: "still here", text: "body" });
    expect(catcher.messages.map((m) => m.subject)).toEqual(["still here"]);
  });
});
