package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;
import static org.bytedeco.opencv.global.opencv_imgproc.fillPoly;
import static org.bytedeco.opencv.global.opencv_imgproc.polylines;

import java.util.Random;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Draws the demo dataset's objects on a BGR canvas. Each object is described in its own frame
 * (u right, v down, the object fits in [-1, 1]²) and placed with a centre, a half-size and a
 * rotation. Colours are jittered a little so that a label is a shape-and-colour family rather than
 * one exact pixel pattern. Callers run this inside a PointerScope (every Point/Scalar is native).
 */
final class DemoPainter {
  /** Sub-pixel bits for OpenCV's fixed-point drawing, so small objects keep their shape. */
  private static final int SHIFT = 4;
  private static final double ONE = 1 << SHIFT;

  private final Mat canvas;
  private final Random random;
  private double cx, cy, r, cos, sin, angleDeg;

  DemoPainter(Mat canvas, Random random) {
    this.canvas = canvas;
    this.random = random;
  }

  /** Draws label {@code label} (an index of {@link DemoDataset#labelSet()}). */
  void draw(int label, double centreX, double centreY, double halfSize, double rotation) {
    cx = centreX;
    cy = centreY;
    r = halfSize;
    cos = Math.cos(rotation);
    sin = Math.sin(rotation);
    angleDeg = Math.toDegrees(rotation);
    switch (label) {
      case 0 -> sun();
      case 1 -> moon();
      case 2 -> cloud();
      case 3 -> bird();
      case 4 -> boat();
      case 5 -> fish();
      case 6 -> wave();
      case 7 -> starfish();
      case 8 -> flower();
      case 9 -> tree();
      case 10 -> mushroom();
      case 11 -> butterfly();
      case 12 -> car();
      case 13 -> house();
      case 14 -> bus();
      case 15 -> trafficLight();
      default -> throw new IllegalArgumentException("no drawing for label " + label);
    }
  }

  // --- sky ---------------------------------------------------------------------------------------

  private void sun() {
    Scalar yellow = colour(255, 210, 0);
    disc(0, 0, 0.62, yellow);
    for (int k = 0; k < 8; k++) {
      double a = k * Math.PI / 4;
      stroke(yellow, 0.14, false, 0.76 * Math.cos(a), 0.76 * Math.sin(a), 1.0 * Math.cos(a), 1.0 * Math.sin(a));
    }
  }

  private void moon() {
    // Crescent = disc(0,0; R) minus disc(-d,0; q): outer arc outside the cut, back along the cut.
    double big = 0.95, d = 0.42, small = 0.82;
    double tOuter = Math.acos((small * small - big * big - d * d) / (2 * big * d));
    double px = big * Math.cos(tOuter), py = big * Math.sin(tOuter);
    double tInner = Math.atan2(py, px + d);
    int n = 24;
    double[] uv = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double t = -tOuter + 2 * tOuter * i / (n - 1);
      uv[2 * i] = big * Math.cos(t);
      uv[2 * i + 1] = big * Math.sin(t);
      double s = tInner - 2 * tInner * i / (n - 1);
      uv[2 * n + 2 * i] = -d + small * Math.cos(s);
      uv[2 * n + 2 * i + 1] = small * Math.sin(s);
    }
    poly(colour(245, 245, 215), uv);
  }

  private void cloud() {
    Scalar grey = colour(218, 222, 230);
    disc(-0.5, 0.15, 0.42, grey);
    disc(0.05, -0.12, 0.55, grey);
    disc(0.55, 0.15, 0.4, grey);
    poly(grey, -0.5, 0.1, 0.55, 0.1, 0.55, 0.55, -0.5, 0.55);
  }

  private void bird() {
    stroke(colour(25, 25, 35), 0.2, false, -0.95, -0.3, -0.5, -0.5, 0, 0.2, 0.5, -0.5, 0.95, -0.3);
  }

  // --- sea ---------------------------------------------------------------------------------------

  private void boat() {
    poly(colour(125, 70, 30), -0.95, 0.25, 0.95, 0.25, 0.6, 0.75, -0.6, 0.75);
    stroke(colour(60, 40, 20), 0.08, false, 0.0, 0.25, 0.0, -0.95);
    poly(colour(250, 250, 250), 0.08, -0.9, 0.08, 0.12, 0.75, 0.12);
  }

  private void fish() {
    Scalar orange = colour(255, 130, 0);
    ellipseFill(0.15, 0, 0.68, 0.4, 0, orange);
    poly(orange, -0.4, 0, -0.95, -0.45, -0.95, 0.45);
    disc(0.5, -0.1, 0.09, colour(10, 10, 10));
  }

  private void wave() {
    int n = 21;
    double[] uv = new double[2 * n], uv2 = new double[2 * n];
    for (int i = 0; i < n; i++) {
      double u = -1 + 2.0 * i / (n - 1);
      uv[2 * i] = u;
      uv[2 * i + 1] = -0.15 + 0.3 * Math.sin(2 * Math.PI * u);
      uv2[2 * i] = u;
      uv2[2 * i + 1] = 0.4 + 0.3 * Math.sin(2 * Math.PI * u);
    }
    Scalar blue = colour(20, 70, 210);
    stroke(blue, 0.22, false, uv);
    stroke(blue, 0.14, false, uv2);
  }

  private void starfish() {
    double[] uv = new double[20];
    for (int k = 0; k < 10; k++) {
      double a = -Math.PI / 2 + k * Math.PI / 5, rad = k % 2 == 0 ? 1.0 : 0.42;
      uv[2 * k] = rad * Math.cos(a);
      uv[2 * k + 1] = rad * Math.sin(a);
    }
    poly(colour(255, 100, 150), uv);
  }

  // --- garden ------------------------------------------------------------------------------------

  private void flower() {
    Scalar petal = colour(215, 40, 190);
    for (int k = 0; k < 6; k++) {
      double a = k * Math.PI / 3;
      disc(0.56 * Math.cos(a), 0.56 * Math.sin(a), 0.36, petal);
    }
    disc(0, 0, 0.3, colour(255, 220, 40));
  }

  private void tree() {
    poly(colour(110, 65, 25), -0.16, 0.2, 0.16, 0.2, 0.16, 1.0, -0.16, 1.0);
    disc(0, -0.25, 0.72, colour(35, 145, 45));
  }

  private void mushroom() {
    poly(colour(240, 225, 195), -0.24, -0.05, 0.24, -0.05, 0.28, 0.85, -0.28, 0.85);
    ellipseArc(0, 0.05, 0.92, 0.75, 180, 360, colour(215, 25, 25));
    Scalar white = colour(255, 255, 255);
    disc(-0.4, -0.25, 0.12, white);
    disc(0.15, -0.45, 0.12, white);
    disc(0.5, -0.15, 0.1, white);
  }

  private void butterfly() {
    Scalar wing = colour(135, 50, 205);
    ellipseFill(-0.45, -0.3, 0.48, 0.36, -30, wing);
    ellipseFill(0.45, -0.3, 0.48, 0.36, 30, wing);
    ellipseFill(-0.35, 0.38, 0.32, 0.26, 30, wing);
    ellipseFill(0.35, 0.38, 0.32, 0.26, -30, wing);
    ellipseFill(0, 0, 0.09, 0.65, 0, colour(20, 20, 20));
  }

  // --- street ------------------------------------------------------------------------------------

  private void car() {
    Scalar red = colour(205, 20, 30);
    poly(red, -0.95, -0.05, 0.95, -0.05, 0.95, 0.45, -0.95, 0.45);
    poly(red, -0.5, -0.05, -0.3, -0.5, 0.35, -0.5, 0.58, -0.05);
    poly(colour(170, 215, 240), -0.28, -0.1, -0.17, -0.4, 0.3, -0.4, 0.45, -0.1);
    Scalar black = colour(15, 15, 15);
    disc(-0.55, 0.45, 0.23, black);
    disc(0.55, 0.45, 0.23, black);
  }

  private void house() {
    poly(colour(232, 200, 140), -0.7, -0.1, 0.7, -0.1, 0.7, 0.92, -0.7, 0.92);
    poly(colour(145, 30, 30), -0.92, -0.08, 0, -0.92, 0.92, -0.08);
    poly(colour(95, 55, 25), -0.15, 0.4, 0.15, 0.4, 0.15, 0.92, -0.15, 0.92);
  }

  private void bus() {
    poly(colour(250, 195, 15), -1, -0.5, 1, -0.5, 1, 0.45, -1, 0.45);
    Scalar glass = colour(70, 140, 215);
    for (int k = 0; k < 4; k++) {
      double u0 = -0.88 + k * 0.45;
      poly(glass, u0, -0.38, u0 + 0.36, -0.38, u0 + 0.36, -0.05, u0, -0.05);
    }
    Scalar black = colour(15, 15, 15);
    disc(-0.6, 0.45, 0.19, black);
    disc(0.6, 0.45, 0.19, black);
  }

  private void trafficLight() {
    poly(colour(45, 45, 50), -0.36, -1, 0.36, -1, 0.36, 1, -0.36, 1);
    disc(0, -0.6, 0.23, colour(235, 20, 20));
    disc(0, 0, 0.23, colour(250, 180, 0));
    disc(0, 0.6, 0.23, colour(20, 200, 60));
  }

  // --- primitives in the object's frame ------------------------------------------------------------

  /** A colour (given as RGB) with a small per-channel jitter, as a BGR Scalar. */
  private Scalar colour(int red, int green, int blue) {
    return new Scalar(jitter(blue), jitter(green), jitter(red), 0);
  }

  private double jitter(int v) {
    return Math.max(0, Math.min(255, v + random.nextInt(25) - 12));
  }

  private double x(double u, double v) {
    return cx + r * (u * cos - v * sin);
  }

  private double y(double u, double v) {
    return cy + r * (u * sin + v * cos);
  }

  private Point points(double... uv) {
    int n = uv.length / 2;
    Point pts = new Point(n);
    for (int i = 0; i < n; i++)
      pts.position(i).x((int) Math.round(x(uv[2 * i], uv[2 * i + 1]) * ONE)).y((int) Math.round(y(uv[2 * i], uv[2 * i + 1]) * ONE));
    return pts.position(0);
  }

  private void poly(Scalar colour, double... uv) {
    fillPoly(canvas, points(uv), new int[] {uv.length / 2}, 1, colour, LINE_AA, SHIFT, new Point(0, 0));
  }

  private void stroke(Scalar colour, double thickness, boolean closed, double... uv) {
    int px = Math.max(1, (int) Math.round(thickness * r));
    polylines(canvas, points(uv), new int[] {uv.length / 2}, 1, closed, colour, px, LINE_AA, SHIFT);
  }

  private void disc(double u, double v, double radius, Scalar colour) {
    ellipseFill(u, v, radius, radius, 0, colour);
  }

  private void ellipseFill(double u, double v, double au, double av, double angle, Scalar colour) {
    ellipseArc(u, v, au, av, 0, 360, colour, angle);
  }

  private void ellipseArc(double u, double v, double au, double av, double from, double to, Scalar colour) {
    ellipseArc(u, v, au, av, from, to, colour, 0);
  }

  private void ellipseArc(double u, double v, double au, double av, double from, double to, Scalar colour, double angle) {
    Point centre = new Point((int) Math.round(x(u, v) * ONE), (int) Math.round(y(u, v) * ONE));
    Size axes = new Size((int) Math.round(au * r * ONE), (int) Math.round(av * r * ONE));
    ellipse(canvas, centre, axes, angle + angleDeg, from, to, colour, -1, LINE_AA, SHIFT);
  }
}
