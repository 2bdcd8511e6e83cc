package dev.finnhubstream.emulator;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.function.BooleanSupplier;

/**
 * Socket-level faults that the public Vert.x API cannot produce, through Vert.x 5 internals: the Netty context of
 * the connection's {@code VertxHandler}.
 *
 * <p>Why the handler's context and not the channel: an outbound {@code close} that starts at the pipeline's tail
 * reaches {@code VertxHandler}, which turns it into a WebSocket close frame. A close started at the handler's own
 * context skips the handler and goes straight to the socket.
 */
final class WebSocketChannels {

  private WebSocketChannels() {
  }

  /** Closes the TCP connection without a WebSocket close frame: a FIN, or with {@code reset} an RST. */
  static Future<Void> closeWithoutCloseFrame(ServerWebSocket ws, boolean reset) {
    ChannelHandlerContext chctx = handlerContext(ws);
    if (reset) {
      // Linger 0: close() discards unsent bytes and sends RST instead of FIN.
      chctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    }
    Promise<Void> promise = Promise.promise();
    chctx.close().addListener(f -> {
      if (f.isSuccess()) {
        promise.complete();
      } else {
        promise.fail(f.cause());
      }
    });
    return promise.future();
  }

  /**
   * Vert.x answers every WebSocket ping with a pong on its own; a stalled server does not. While {@code suppress}
   * says so, pongs are dropped before they reach the encoder.
   */
  static void gatePongs(ServerWebSocket ws, BooleanSupplier suppress) {
    ChannelHandlerContext chctx = handlerContext(ws);
    chctx.pipeline().addBefore(chctx.name(), "emulator-pong-gate", new ChannelDuplexHandler() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof PongWebSocketFrame && suppress.getAsBoolean()) {
          ReferenceCountUtil.release(msg);
          promise.setSuccess();
          return;
        }
        super.write(ctx, msg, promise);
      }
    });
  }

  private static ChannelHandlerContext handlerContext(ServerWebSocket ws) {
    if (!(ws instanceof WebSocketInternal internal)) {
      throw new IllegalStateException("Not a Vert.x 5 internal WebSocket: " + ws.getClass().getName());
    }
    return internal.channelHandlerContext();
  }
}
