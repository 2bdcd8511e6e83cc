package dev.finnhubstream.emulator;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Socket-level faults that the public Vert.x API cannot produce, through Vert.x 5 internals: the Netty context of
 * the connection's {@code VertxHandler}.
 *
 * <p>Why the handler's context and not the channel: an outbound {@code close} that starts at the pipeline's tail
 * reaches {@code VertxHandler}, which turns it into a WebSocket close frame. A close started at the handler's own
 * context skips the handler and goes straight to the socket. Every method runs on the connection's event loop.
 */
final class WebSocketChannels {

  private WebSocketChannels() {
  }

  /**
   * Ends the connection with a FIN and no WebSocket close frame. The output is shut down first: closing a socket
   * whose input still holds unread client bytes (a subscribe in flight) makes Linux send an RST instead, which
   * would also discard trades the client has not read yet. The socket closes once the client closes its side,
   * or after {@code graceMs} for a client that ignores the FIN.
   */
  static Future<Void> closeAbruptly(ServerWebSocket ws, long graceMs) {
    ChannelHandlerContext chctx = handlerContext(ws);
    Channel channel = chctx.channel();
    Future<Void> closed = whenClosed(channel);
    if (channel instanceof DuplexChannel duplex) {
      duplex.shutdownOutput().addListener(f -> {
        ScheduledFuture<?> timeout = chctx.executor().schedule(() -> chctx.close(), graceMs, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(c -> timeout.cancel(false));
      });
    } else {
      chctx.close();
    }
    return closed;
  }

  /** Ends the connection with an RST: the client sees "connection reset"; unsent and unread bytes are lost. */
  static Future<Void> reset(ServerWebSocket ws) {
    ChannelHandlerContext chctx = handlerContext(ws);
    Future<Void> closed = whenClosed(chctx.channel());
    // Linger 0: close() discards unsent bytes and sends RST instead of FIN.
    chctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    chctx.close();
    return closed;
  }

  private static Future<Void> whenClosed(Channel channel) {
    Promise<Void> promise = Promise.promise();
    channel.closeFuture().addListener(f -> promise.tryComplete());
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
